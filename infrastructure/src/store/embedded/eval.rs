//! Query evaluation for the embedded store, following MongoDB's rules so both engines agree:
//! missing fields are `null`, values of different kinds never compare as greater or less, numbers
//! compare numerically whatever their representation, strings byte-wise (UTF-8 order).

use std::cmp::Ordering;

use serde_json::Value;

use crate::store::{Cond, Doc, Filter, Order, SortKey};

/// The value at a dot path; `None` when a segment is missing or not an object.
pub(super) fn lookup<'a>(doc: &'a Doc, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let mut current = doc.get(segments.next()?)?;
    for segment in segments {
        current = current.as_object()?.get(segment)?;
    }
    Some(current)
}

/// Sets the value at a dot path, creating (or replacing non-object) intermediate objects.
pub(super) fn set_path(doc: &mut Doc, path: &str, value: Value) {
    let (parents, last) = match path.rsplit_once('.') {
        Some((parents, last)) => (Some(parents), last),
        None => (None, path),
    };
    let mut current = doc;
    for segment in parents.into_iter().flat_map(|p| p.split('.')) {
        let slot = current.entry(segment).or_insert_with(|| Value::Object(Doc::new()));
        if !slot.is_object() {
            *slot = Value::Object(Doc::new());
        }
        current = match slot {
            Value::Object(map) => map,
            _ => unreachable!("the slot was made an object above"),
        };
    }
    current.insert(last.to_owned(), value);
}

/// Whether `doc` satisfies every filter.
pub(super) fn matches(doc: &Doc, filters: &[Filter]) -> bool {
    filters.iter().all(|f| holds(lookup(doc, &f.field).unwrap_or(&Value::Null), &f.cond))
}

fn holds(value: &Value, cond: &Cond) -> bool {
    match cond {
        Cond::Eq(operand) => equal(value, operand),
        Cond::Ne(operand) => !equal(value, operand),
        Cond::In(operands) => operands.iter().any(|operand| equal(value, operand)),
        Cond::Gt(operand) => ordered(value, operand) == Some(Ordering::Greater),
        Cond::Gte(operand) => matches!(ordered(value, operand), Some(Ordering::Greater | Ordering::Equal)),
        Cond::Lt(operand) => ordered(value, operand) == Some(Ordering::Less),
        Cond::Lte(operand) => matches!(ordered(value, operand), Some(Ordering::Less | Ordering::Equal)),
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    compare(a, b) == Ordering::Equal
}

/// The order of two values of the same kind; `None` across kinds (MongoDB's type bracketing).
fn ordered(a: &Value, b: &Value) -> Option<Ordering> {
    (rank(a) == rank(b)).then(|| compare(a, b))
}

/// MongoDB's cross-type sort order: null < numbers < strings < objects < arrays < booleans.
fn rank(value: &Value) -> u8 {
    match value {
        Value::Null => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Object(_) => 4,
        Value::Array(_) => 5,
        Value::Bool(_) => 8,
    }
}

/// A total order over JSON values, consistent with MongoDB's for scalars.
pub(super) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => number(x).total_cmp(&number(y)),
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            x.iter().zip(y).map(|(x, y)| compare(x, y)).find(|o| o.is_ne()).unwrap_or(x.len().cmp(&y.len()))
        }
        (Value::Object(x), Value::Object(y)) => x
            .iter()
            .zip(y)
            .map(|((kx, vx), (ky, vy))| kx.cmp(ky).then_with(|| compare(vx, vy)))
            .find(|o| o.is_ne())
            .unwrap_or(x.len().cmp(&y.len())),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn number(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

/// Orders two documents by the sort keys (missing fields as `null`).
pub(super) fn compare_docs(a: &Doc, b: &Doc, sort: &[SortKey]) -> Ordering {
    for key in sort {
        let x = lookup(a, &key.field).unwrap_or(&Value::Null);
        let y = lookup(b, &key.field).unwrap_or(&Value::Null);
        let ordering = match key.order {
            Order::Asc => compare(x, y),
            Order::Desc => compare(y, x),
        };
        if ordering.is_ne() {
            return ordering;
        }
    }
    Ordering::Equal
}

/// The key of `doc` in a unique index over `fields`: equal keys exactly when MongoDB sees a
/// duplicate (missing fields count as `null`; `1` and `1.0` are the same number).
pub(super) fn index_key(doc: &Doc, fields: &[&str]) -> String {
    let values: Vec<Value> = fields.iter().map(|f| normalise(lookup(doc, f).unwrap_or(&Value::Null))).collect();
    Value::Array(values).to_string()
}

fn normalise(value: &Value) -> Value {
    match value {
        Value::Number(n) if !n.is_i64() => match n.as_f64() {
            // Whole floats within i64 range key like the integer they equal.
            Some(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Value::from(f as i64),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(v: Value) -> Doc {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn numbers_compare_numerically_and_kinds_do_not_mix() {
        assert_eq!(compare(&json!(9), &json!(10)), Ordering::Less);
        assert_eq!(compare(&json!(2.5), &json!(2)), Ordering::Greater);
        assert!(equal(&json!(1), &json!(1.0)));
        assert!(!holds(&json!("10"), &Cond::Gt(json!(9))));
        assert!(holds(&Value::Null, &Cond::Eq(Value::Null)));
        assert!(holds(&Value::Null, &Cond::Ne(json!("x"))));
        assert!(!equal(&json!(false), &json!(0)));
        let mut kinds = vec![json!(true), json!("a"), json!(3), Value::Null, json!({"k": 1}), json!([1])];
        kinds.sort_by(compare);
        assert_eq!(kinds, vec![Value::Null, json!(3), json!("a"), json!({"k": 1}), json!([1]), json!(true)]);
    }

    #[test]
    fn set_path_creates_parents() {
        let mut d = doc(json!({"a": 1}));
        set_path(&mut d, "b.c", json!(2));
        set_path(&mut d, "a", json!(3));
        assert_eq!(Value::Object(d), json!({"a": 3, "b": {"c": 2}}));
    }

    #[test]
    fn index_keys_treat_missing_as_null() {
        assert_eq!(
            index_key(&doc(json!({"a": 1})), &["a", "b"]),
            index_key(&doc(json!({"a": 1.0, "b": null})), &["a", "b"])
        );
    }
}
