//! Decimals as clients send them: a JSON string (`"12.5"`) or number (`12.5`, `1e3`). A body
//! keeps them raw so that a bad one (`"abc"`, `""`, `1e30`, `true`) is refused naming its field,
//! which serde cannot do for a field of a flat body; the bounds (`domain::shared::bounds`) are
//! checked afterwards, where the value is used.

use std::str::FromStr;

use application::FieldError;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;

/// A decimal exactly as the client sent it; [`DecimalInput::parse`] reads it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct DecimalInput(Value);

impl DecimalInput {
    /// The decimal, or a field error `invalid` naming `field`.
    pub fn parse(&self, field: &str) -> Result<Decimal, FieldError> {
        let text = match &self.0 {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).map_err(|_| {
            FieldError::new(
                field,
                application::FieldCode::Invalid,
                "must be a decimal number within the documented bounds, e.g. \"12.5\"",
            )
        })
    }
}

/// Reads each present decimal, naming every bad one at once (422 `validation_failed`).
pub fn parse_all<const N: usize>(fields: [(&str, Option<&DecimalInput>); N]) -> Result<[Option<Decimal>; N], ApiError> {
    let mut errors = Vec::new();
    let values = fields.map(|(name, input)| match input.map(|i| i.parse(name)) {
        Some(Ok(value)) => Some(value),
        Some(Err(error)) => {
            errors.push(error);
            None
        }
        None => None,
    });
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(ApiError::validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use domain::shared::bounds::AMOUNT;
    use serde_json::json;

    use super::*;

    fn input(value: Value) -> DecimalInput {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn strings_and_numbers_in_every_notation_are_read() {
        assert_eq!(input(json!("12.5")).parse("x"), Ok(Decimal::new(125, 1)));
        assert_eq!(input(json!(12.5)).parse("x"), Ok(Decimal::new(125, 1)));
        assert_eq!(input(json!("1e3")).parse("x"), Ok(Decimal::from(1000)));
        assert_eq!(input(json!(7.9e28)).parse("x").map(|d| d > Decimal::from_scientific("1e28").unwrap()), Ok(true));
    }

    #[test]
    fn what_is_not_a_decimal_or_out_of_bounds_names_the_field() {
        for bad in [json!(""), json!("abc"), json!(true), json!({}), json!([1]), json!(1e30), json!("1e30")] {
            let err = input(bad.clone()).parse("price").unwrap_err();
            assert_eq!((err.field.as_str(), err.code.as_str()), ("price", "invalid"), "{bad}");
        }
        for bad in [json!("-1"), json!(0), json!("7.9e28"), json!("0.0000000000000000000000000001")] {
            let value = input(bad.clone()).parse("amount").unwrap();
            assert!(AMOUNT.check(value).is_err(), "{bad} is out of bounds");
        }
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let (a, b) = (input(json!("x")), input(json!("1")));
        let refused = parse_all([("a", Some(&a)), ("b", Some(&b)), ("c", None)]).unwrap_err();
        assert_eq!(refused.code(), crate::error::ErrorCode::ValidationFailed);
        let errors = refused.field_errors();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "a");
    }
}
