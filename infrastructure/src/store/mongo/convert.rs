//! Conversions between the store's JSON documents and queries and MongoDB's BSON.
//!
//! Integers are always Int64 (also when the server hands back Int32), so a value read back equals
//! the value written; money never becomes a float because documents hold decimals as strings.

use domain::RepoError;
use mongodb::bson::{doc, Bson, Document};
use serde_json::{Number, Value};

use crate::store::{malformed, Cond, Doc, Filter, Order, SortKey};

/// A store document as BSON.
pub(super) fn to_bson_doc(doc: &Doc) -> Result<Document, RepoError> {
    doc.iter().map(|(k, v)| Ok((k.clone(), to_bson(v)?))).collect()
}

/// A BSON document as a store document.
pub(super) fn from_bson_doc(doc: Document) -> Result<Doc, RepoError> {
    doc.into_iter().map(|(k, v)| Ok((k, from_bson(v)?))).collect()
}

fn to_bson(value: &Value) -> Result<Bson, RepoError> {
    Ok(match value {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Bson::Int64(i),
            (None, Some(_)) if n.is_u64() => return Err(malformed(format!("integer {n} exceeds i64"))),
            (None, Some(f)) => Bson::Double(f),
            (None, None) => return Err(malformed(format!("number {n} is not representable"))),
        },
        Value::String(s) => Bson::String(s.clone()),
        Value::Array(items) => Bson::Array(items.iter().map(to_bson).collect::<Result<_, _>>()?),
        Value::Object(map) => Bson::Document(to_bson_doc(map)?),
    })
}

fn from_bson(value: Bson) -> Result<Value, RepoError> {
    Ok(match value {
        Bson::Null | Bson::Undefined => Value::Null,
        Bson::Boolean(b) => Value::Bool(b),
        Bson::Int32(i) => Value::from(i64::from(i)),
        Bson::Int64(i) => Value::from(i),
        Bson::Double(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        Bson::String(s) => Value::String(s),
        Bson::Array(items) => Value::Array(items.into_iter().map(from_bson).collect::<Result<_, _>>()?),
        Bson::Document(doc) => Value::Object(from_bson_doc(doc)?),
        // Written by something other than botfleet: keep the value readable rather than fail.
        Bson::DateTime(at) => Value::from(at.timestamp_millis()),
        Bson::ObjectId(id) => Value::String(id.to_hex()),
        Bson::Decimal128(d) => Value::String(d.to_string()),
        other => return Err(malformed(format!("unsupported BSON value of type {:?}", other.element_type()))),
    })
}

/// The filter document of `filters`: one clause per filter, merged into one document when their
/// keys differ, else joined with `$and`.
///
/// Comparisons carry a `$type` guard of the operand's kind. On MongoDB it changes nothing (type
/// bracketing already applies); on nx-27017, which compares across types and treats booleans as
/// the integers 0 and 1, it restores MongoDB's results. For the same reason `Ne` of a number or a
/// boolean is a `$nor`, `In` with numbers or booleans an `$or`, and `Ne(null)` adds `$exists`.
pub(super) fn filter_doc(filters: &[Filter]) -> Result<Document, RepoError> {
    let clauses = filters.iter().map(clause).collect::<Result<Vec<Document>, _>>()?;
    let mut merged = Document::new();
    for clause in &clauses {
        for (key, value) in clause {
            if merged.insert(key.clone(), value.clone()).is_some() {
                return Ok(doc! { "$and": clauses });
            }
        }
    }
    Ok(merged)
}

fn clause(filter: &Filter) -> Result<Document, RepoError> {
    let field = filter.field.as_str();
    let guarded = |op: &str, v: &Value| -> Result<Document, RepoError> {
        let mut cond = doc! { op: to_bson(v)? };
        if let Some(kind) = kind(v) {
            cond.insert("$type", kind);
        }
        Ok(doc! { field: cond })
    };
    match &filter.cond {
        Cond::Eq(v) => guarded("$eq", v),
        Cond::Ne(Value::Null) => Ok(doc! { field: { "$ne": Bson::Null, "$exists": true } }),
        Cond::Ne(v @ (Value::Bool(_) | Value::Number(_))) => Ok(doc! { "$nor": [guarded("$eq", v)?] }),
        Cond::Ne(v) => Ok(doc! { field: { "$ne": to_bson(v)? } }),
        Cond::In(vs) if vs.iter().any(|v| matches!(v, Value::Bool(_) | Value::Number(_))) => {
            let any = vs.iter().map(|v| guarded("$eq", v)).collect::<Result<Vec<_>, _>>()?;
            Ok(doc! { "$or": any })
        }
        Cond::In(vs) => {
            let values = vs.iter().map(to_bson).collect::<Result<Vec<_>, _>>()?;
            Ok(doc! { field: { "$in": values } })
        }
        Cond::Nin(vs) => {
            let any = clause(&Filter { field: filter.field.clone(), cond: Cond::In(vs.clone()) })?;
            Ok(doc! { "$nor": [any] })
        }
        Cond::Gt(v) => guarded("$gt", v),
        Cond::Gte(v) => guarded("$gte", v),
        Cond::Lt(v) => guarded("$lt", v),
        Cond::Lte(v) => guarded("$lte", v),
    }
}

/// The `$type` alias of a scalar operand; `None` for null (which also matches missing fields),
/// objects and arrays.
fn kind(value: &Value) -> Option<&'static str> {
    match value {
        Value::Bool(_) => Some("bool"),
        Value::Number(_) => Some("number"),
        Value::String(_) => Some("string"),
        _ => None,
    }
}

/// The sort document of `sort`.
pub(super) fn sort_doc(sort: &[SortKey]) -> Document {
    sort.iter().map(|k| (k.field.clone(), Bson::Int32(if k.order == Order::Asc { 1 } else { -1 }))).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::Query;

    #[test]
    fn round_trips_integers_as_int64_and_nested_documents() {
        let doc = json!({"_id": "a", "version": 1, "at": 1_763_890_000_123_i64, "p": "1.50", "s": {"ok": true}});
        let doc = doc.as_object().cloned().unwrap_or_default();
        let bson = to_bson_doc(&doc).unwrap();
        assert_eq!(bson.get("version"), Some(&Bson::Int64(1)));
        assert_eq!(from_bson_doc(bson).unwrap(), doc);
    }

    #[test]
    fn repeated_fields_use_and() {
        let q = Query::all().gte("n", 1).lte("n", 5).eq("s", "x");
        let filter = filter_doc(&q.filters).unwrap();
        assert_eq!(filter.get_array("$and").map(Vec::len).ok(), Some(3));
        let single = filter_doc(&Query::all().eq("s", "x").ne("t", 1).filters).unwrap();
        assert_eq!(
            single,
            doc! { "s": { "$eq": "x", "$type": "string" }, "$nor": [{ "t": { "$eq": 1_i64, "$type": "number" } }] }
        );
    }
}
