//! Translating a [`Query`] into SQL over the JSON documents, with MongoDB's semantics (the
//! contract suite's): a missing field is `null`; comparisons only match values of the operand's
//! kind; `null` sorts first ascending.
//!
//! Every field is read as `json_extract(doc, '$.<path>')` (`_id` is the `id` column), the very
//! expression the collection's indexes are built on, so SQLite serves filters and sorts from them.
//! SQLite already orders `NULL < numbers < text`, as MongoDB does; range filters add a bound that
//! keeps other kinds out without losing the index: every text is `>= ''` and every number `< ''`.

use domain::RepoError;
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

use crate::store::{malformed, Cond, Filter, Order, Query, ID};

/// A statement's text and its positional parameters.
#[derive(Debug, Default)]
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) params: Vec<SqlValue>,
}

/// A collection (table) or index name: letters, digits and `_` only, so it can be quoted safely.
pub(super) fn check_name(name: &str) -> Result<&str, RepoError> {
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    ok.then_some(name).ok_or_else(|| malformed(format!("`{name}` is not a valid collection or index name")))
}

/// The SQL expression reading `field` (a dot path of identifiers).
pub(super) fn field_expr(field: &str) -> Result<String, RepoError> {
    if field == ID {
        return Ok("id".to_owned());
    }
    let ok = !field.is_empty()
        && field.split('.').all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    if !ok {
        return Err(malformed(format!("`{field}` is not a field path the store can index")));
    }
    Ok(format!("json_extract(doc, '$.{field}')"))
}

/// The column that ends every plain index as its tie-breaker (spelled apart from a declared
/// `_id`, which is plain `id`, so that [`index_fields`] can leave it out).
pub(super) const ID_TIE_BREAKER: &str = "id ASC";

/// The declared fields of an index from its `CREATE INDEX` text: each
/// `json_extract(doc, '$.<path>')` is `<path>`, the `id` column `_id` (the inverse of
/// [`field_expr`]); the tie-breaker is not a declared field.
pub(super) fn index_fields(create: &str) -> Vec<String> {
    let Some((_, columns)) = create.split_once(" (") else { return Vec::new() };
    let columns = columns.strip_suffix(')').unwrap_or(columns);
    columns
        .split("), ")
        .filter(|column| *column != ID_TIE_BREAKER)
        .map(|column| match column.split_once("'$.") {
            Some((_, rest)) => rest.split('\'').next().unwrap_or_default().to_owned(),
            None => ID.to_owned(),
        })
        .collect()
}

/// A JSON scalar as an SQL parameter; booleans and composites are handled by the caller.
fn param(value: &Value) -> Result<SqlValue, RepoError> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
            return Err(malformed("query operands must be null, numbers or strings"))
        }
    })
}

/// Whether the numeric equalities and ranges on `field` among `filters` admit neither 0 nor 1:
/// `json_extract` reads `true` and `false` as 1 and 0, so then no boolean can pass them all, and
/// the guard that keeps booleans out of numeric comparisons is needless (a time range in
/// milliseconds, say). Other conditions admit everything here: they only narrow further.
fn booleans_excluded(filters: &[Filter], field: &str) -> bool {
    let admits = |x: f64| {
        filters.iter().filter(|f| f.field == field).all(|f| {
            let operand = |v: &Value| v.as_f64().filter(|_| v.is_number());
            match &f.cond {
                Cond::Eq(v) => operand(v).is_none_or(|v| x == v),
                Cond::Gt(v) => operand(v).is_none_or(|v| x > v),
                Cond::Gte(v) => operand(v).is_none_or(|v| x >= v),
                Cond::Lt(v) => operand(v).is_none_or(|v| x < v),
                Cond::Lte(v) => operand(v).is_none_or(|v| x <= v),
                Cond::Ne(_) | Cond::In(_) | Cond::Nin(_) => true,
            }
        })
    };
    !admits(0.0) && !admits(1.0)
}

impl Sql {
    fn push_param(&mut self, value: &Value) -> Result<(), RepoError> {
        self.params.push(param(value)?);
        self.text.push('?');
        Ok(())
    }

    /// `WHERE ...` for `filters` (nothing when there are none).
    pub(super) fn push_where(&mut self, filters: &[Filter]) -> Result<(), RepoError> {
        for (i, filter) in filters.iter().enumerate() {
            self.text.push_str(if i == 0 { " WHERE " } else { " AND " });
            self.push_condition(filter, booleans_excluded(filters, &filter.field))?;
        }
        Ok(())
    }

    /// `filter` in SQL; `typed` when the numeric conditions on its field already keep booleans
    /// out (see [`booleans_excluded`]), so that it needs no guard against them.
    fn push_condition(&mut self, filter: &Filter, typed: bool) -> Result<(), RepoError> {
        let e = field_expr(&filter.field)?;
        let json_type = || format!("json_type(doc, '$.{}')", filter.field);
        // `json_extract` reads `true`/`false` as 1/0: a numeric operand must not match booleans.
        // The guard reads the document's text (no index holds a value's type), so it is left out
        // when the field's other conditions exclude 1 and 0 anyway.
        let not_bool = || {
            if filter.field == ID || typed {
                String::new()
            } else {
                format!(" AND {} NOT IN ('true', 'false')", json_type())
            }
        };
        match &filter.cond {
            Cond::Eq(Value::Null) => self.text.push_str(&format!("{e} IS NULL")),
            Cond::Ne(Value::Null) => self.text.push_str(&format!("{e} IS NOT NULL")),
            Cond::Eq(Value::Bool(b)) => self.text.push_str(&format!("{} = '{b}'", json_type())),
            Cond::Ne(Value::Bool(b)) => self.text.push_str(&format!("{} IS NOT '{b}'", json_type())),
            Cond::Eq(v @ Value::Number(_)) => {
                self.text.push_str(&format!("({e} = "));
                self.push_param(v)?;
                self.text.push_str(&format!("{})", not_bool()));
            }
            Cond::Ne(v @ Value::Number(_)) => {
                self.text.push_str(&format!("NOT ({e} IS "));
                self.push_param(v)?;
                self.text.push_str(&format!("{})", not_bool()));
            }
            Cond::Eq(v) => {
                self.text.push_str(&format!("{e} = "));
                self.push_param(v)?;
            }
            Cond::Ne(v) => {
                self.text.push_str(&format!("{e} IS NOT "));
                self.push_param(v)?;
            }
            Cond::In(values) => self.push_in(&e, &json_type(), &not_bool(), values)?,
            Cond::Nin(values) => {
                // `x IN (..)` is NULL for a missing x: that counts as "in none of them".
                self.text.push_str("NOT COALESCE(");
                self.push_in(&e, &json_type(), &not_bool(), values)?;
                self.text.push_str(", 0)");
            }
            Cond::Gt(v) => self.push_range(&e, ">", v, &not_bool())?,
            Cond::Gte(v) => self.push_range(&e, ">=", v, &not_bool())?,
            Cond::Lt(v) => self.push_range(&e, "<", v, &not_bool())?,
            Cond::Lte(v) => self.push_range(&e, "<=", v, &not_bool())?,
        }
        Ok(())
    }

    fn push_in(&mut self, e: &str, json_type: &str, not_bool: &str, values: &[Value]) -> Result<(), RepoError> {
        let (scalars, others): (Vec<&Value>, Vec<&Value>) =
            values.iter().partition(|v| matches!(v, Value::Number(_) | Value::String(_)));
        let mut parts = Vec::new();
        let mut scalar_params = Vec::new();
        if !scalars.is_empty() {
            let guard = if scalars.iter().any(|v| v.is_number()) { not_bool } else { "" };
            parts.push(format!("({e} IN ({}){guard})", vec!["?"; scalars.len()].join(", ")));
            for v in scalars {
                scalar_params.push(param(v)?);
            }
        }
        for v in others {
            match v {
                Value::Null => parts.push(format!("{e} IS NULL")),
                Value::Bool(b) => parts.push(format!("{json_type} = '{b}'")),
                _ => return Err(malformed("query operands must be null, booleans, numbers or strings")),
            }
        }
        if parts.is_empty() {
            self.text.push('0');
        } else {
            self.text.push_str(&format!("({})", parts.join(" OR ")));
            self.params.extend(scalar_params);
        }
        Ok(())
    }

    fn push_range(&mut self, e: &str, op: &str, v: &Value, not_bool: &str) -> Result<(), RepoError> {
        // Only values of the operand's kind compare: numbers stay below every text, texts at or
        // above the empty one, so one more bound on the same expression keeps the other kind out.
        let guard = match v {
            Value::Number(_) => format!(" AND {e} < ''{not_bool}"),
            Value::String(_) => format!(" AND {e} >= ''"),
            // No value is greater or less than null or a boolean of another kind.
            _ => {
                self.text.push('0');
                return Ok(());
            }
        };
        self.text.push_str(&format!("({e} {op} "));
        self.push_param(v)?;
        self.text.push_str(&guard);
        self.text.push(')');
        Ok(())
    }

    /// `ORDER BY ... LIMIT ... OFFSET ...` for `query`.
    pub(super) fn push_order_and_page(&mut self, query: &Query) -> Result<(), RepoError> {
        for (i, key) in query.sort.iter().enumerate() {
            self.text.push_str(if i == 0 { " ORDER BY " } else { ", " });
            self.text.push_str(&field_expr(&key.field)?);
            self.text.push_str(match key.order {
                Order::Asc => " ASC",
                Order::Desc => " DESC",
            });
        }
        if query.limit.is_some() || query.skip > 0 {
            let limit = query.limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
            let skip = i64::try_from(query.skip).unwrap_or(i64::MAX);
            self.text.push_str(" LIMIT ? OFFSET ?");
            self.params.push(SqlValue::Integer(limit));
            self.params.push(SqlValue::Integer(skip));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn where_of(query: Query) -> Sql {
        let mut sql = Sql::default();
        sql.push_where(&query.filters).unwrap();
        sql.push_order_and_page(&query).unwrap();
        sql
    }

    #[test]
    fn filters_read_the_indexed_expression() {
        let sql = where_of(Query::all().eq("user_id", "u1").gte("created_at", 5).desc("created_at").limit(10));
        assert_eq!(
            sql.text,
            " WHERE json_extract(doc, '$.user_id') = ? AND (json_extract(doc, '$.created_at') >= ? AND \
             json_extract(doc, '$.created_at') < '') ORDER BY json_extract(doc, '$.created_at') DESC LIMIT ? OFFSET ?"
        );
        assert_eq!(sql.params.len(), 4);
    }

    #[test]
    fn a_range_that_keeps_booleans_out_needs_no_guard() {
        let guard = "json_type(doc, '$.at')";
        // A time window in milliseconds: neither 0 nor 1 (`false`, `true`) is inside.
        let window =
            where_of(Query::all().eq("u", "a").gte("at", 1_700_000_000_000_i64).lt("at", 1_800_000_000_000_i64));
        assert!(!window.text.contains(guard), "{}", window.text);
        assert!(!where_of(Query::all().gt("at", 1)).text.contains(guard), "above 1");
        assert!(!where_of(Query::all().eq("at", 5)).text.contains(guard), "equal to 5");
        assert!(!where_of(Query::all().lt("at", 0).ne("at", 3)).text.contains(guard), "below 0, with a Ne");
        // Ranges that let 1 or 0 in keep it.
        assert!(where_of(Query::all().gte("at", 1)).text.contains(guard), "1 is in");
        assert!(where_of(Query::all().lt("at", 1_800_000_000_000_i64)).text.contains(guard), "an upper bound alone");
        assert!(where_of(Query::all().gt("at", 0).lt("at", 2)).text.contains(guard), "1 is between");
        assert!(where_of(Query::all().eq("at", 0)).text.contains(guard), "equal to 0");
        // A bound on another field says nothing of this one.
        assert!(where_of(Query::all().gt("x", 5).lt("at", 9)).text.contains(guard));
    }

    #[test]
    fn ids_use_the_key_column_and_bad_paths_are_refused() {
        assert_eq!(where_of(Query::all().gt("_id", "b")).text, " WHERE (id > ? AND id >= '')");
        assert!(field_expr("a'; DROP TABLE users; --").is_err());
        assert!(field_expr("a..b").is_err());
        assert!(check_name("users; --").is_err());
    }

    #[test]
    fn nulls_booleans_and_empty_sets() {
        let sql = where_of(Query::all().eq("x", Value::Null).ne("y", true).is_in("z", Vec::<Value>::new()));
        assert_eq!(sql.text, " WHERE json_extract(doc, '$.x') IS NULL AND json_type(doc, '$.y') IS NOT 'true' AND 0");
        let sql = where_of(Query::all().is_in("s", [json!("a"), Value::Null, json!(2)]));
        assert_eq!(
            sql.text,
            " WHERE ((json_extract(doc, '$.s') IN (?, ?) AND json_type(doc, '$.s') NOT IN ('true', 'false')) \
             OR json_extract(doc, '$.s') IS NULL)"
        );
    }
}
