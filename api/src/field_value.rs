//! [`Parsed`]: a typed id, enum or instant in a request body or a query string, parsed from its
//! string form while the request is decoded, so that handlers hand the use cases domain types
//! (`ContextId`, `BotKind`, `OffsetDateTime`…), never the raw text. [`FieldCheck`] turns the
//! malformed ones into one 422 `validation_failed` naming every bad field (code `invalid`; the
//! value is not repeated).
//!
//! A value of the wrong JSON type (`"context_id": true`) is refused by the decoder as before
//! (422 `invalid_type` naming the field): [`Parsed`] reads a string first. A well-formed string
//! that is not a `T` is kept as [`Parsed::Malformed`] rather than failing the decoding, so that
//! every bad field of a request is named at once, as the use cases name theirs.
//!
//! ```ignore
//! #[derive(Deserialize, ToSchema)]
//! struct CreateBotRequest {
//!     #[schema(value_type = Id)]
//!     context_id: Parsed<ContextId>,
//!     #[schema(value_type = BotKind)]
//!     kind: Parsed<domain::bots::BotKind>,
//! }
//! let mut check = FieldCheck::default();
//! let context = check.required("context_id", b.context_id);
//! let kind = check.required("kind", b.kind);
//! let (context_id, kind) = check.finish(context.zip(kind))?;
//! ```

use std::collections::BTreeSet;

use application::{FieldCode, FieldError};
use serde::{Deserialize, Deserializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::ApiError;

/// A type a request field is parsed into from its string form.
pub trait FieldValue: Sized {
    /// The code of a refusal.
    const CODE: FieldCode = FieldCode::Invalid;

    /// `raw` as a `Self`, or what the field must be (without repeating the value, which may be
    /// anything the client sent).
    fn parse_field(raw: &str) -> Result<Self, String>;
}

/// A request field parsed into `T`, or the reason it is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed<T> {
    /// The value.
    Valid(T),
    /// Not a `T`.
    Malformed {
        /// The text was empty or only spaces.
        blank: bool,
        /// The refusal's code ([`FieldValue::CODE`]).
        code: FieldCode,
        /// What the field must be.
        message: String,
    },
}

impl<T> Parsed<T> {
    /// Whether the client sent an empty (or all-space) text.
    pub fn is_blank(&self) -> bool {
        matches!(self, Parsed::Malformed { blank: true, .. })
    }
}

impl<'de, T: FieldValue> Deserialize<'de> for Parsed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(match T::parse_field(&raw) {
            Ok(value) => Parsed::Valid(value),
            Err(message) => Parsed::Malformed { blank: raw.trim().is_empty(), code: T::CODE, message },
        })
    }
}

/// The refusals of a request's [`Parsed`] fields, each naming its field.
#[derive(Debug, Default)]
pub struct FieldCheck {
    errors: Vec<FieldError>,
}

impl FieldCheck {
    /// The value of the required field `name`; a malformed one is noted.
    pub fn required<T>(&mut self, name: &str, value: Parsed<T>) -> Option<T> {
        match value {
            Parsed::Valid(value) => Some(value),
            Parsed::Malformed { code, message, .. } => {
                self.errors.push(FieldError::new(name, code, message));
                None
            }
        }
    }

    /// `value`, parsed by the handler from a field that keeps its text in the request (for the
    /// validator's rules); a refusal is noted with `code`.
    pub fn parsed<T, E: std::fmt::Display>(&mut self, name: &str, code: FieldCode, value: Result<T, E>) -> Option<T> {
        value.map_err(|e| self.errors.push(FieldError::new(name, code, e.to_string()))).ok()
    }

    /// The value of the optional field `name` (`None` when absent); a malformed one is noted.
    pub fn optional<T>(&mut self, name: &str, value: Option<Parsed<T>>) -> Option<T> {
        value.and_then(|value| self.required(name, value))
    }

    /// Notes refusals found by other checks, to name them in the same answer.
    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.errors.extend(errors);
    }

    /// `values` when no field was malformed, else a 422 `validation_failed` naming each.
    pub fn finish<R>(self, values: Option<R>) -> Result<R, ApiError> {
        match values {
            Some(values) if self.errors.is_empty() => Ok(values),
            _ => Err(ApiError::validation(self.errors)),
        }
    }
}

/// Ids: a ULID of the right kind.
macro_rules! id_fields {
    ($($id:ident => $what:literal),+ $(,)?) => {$(
        impl FieldValue for domain::shared::ids::$id {
            fn parse_field(raw: &str) -> Result<Self, String> {
                Self::parse(raw).ok_or_else(|| concat!("must be ", $what, " id (a ULID)").to_owned())
            }
        }
    )+};
}

id_fields! {
    ContextId => "a context",
    BotId => "a bot",
    PositionId => "a position",
    OrderId => "an order",
    CredentialId => "a credential",
}

/// Enums: one of the domain's wire names (its `FromStr` says which).
macro_rules! enum_fields {
    ($($path:path),+ $(,)?) => {$(
        impl FieldValue for $path {
            fn parse_field(raw: &str) -> Result<Self, String> {
                raw.parse::<Self>().map_err(|e| e.to_string())
            }
        }
    )+};
}

impl FieldValue for domain::exchange::ExchangeId {
    const CODE: FieldCode = FieldCode::UnknownExchange;

    fn parse_field(raw: &str) -> Result<Self, String> {
        raw.parse::<Self>().map_err(|e| e.to_string())
    }
}

enum_fields! {
    domain::contexts::ContextMode,
    domain::bots::BotKind,
    domain::bots::BotStatus,
    domain::orders::OrderStatus,
    domain::orders::StrategySource,
}

impl FieldValue for domain::exchange::OrderSide {
    fn parse_field(raw: &str) -> Result<Self, String> {
        match raw {
            "buy" => Ok(Self::Buy),
            "sell" => Ok(Self::Sell),
            _ => Err("must be buy or sell".to_owned()),
        }
    }
}

impl FieldValue for domain::exchange::OrderType {
    fn parse_field(raw: &str) -> Result<Self, String> {
        Self::parse(raw).ok_or_else(|| "must be market or limit".to_owned())
    }
}

/// A comma-separated set of order statuses (`new,partially_filled`).
impl FieldValue for BTreeSet<domain::orders::OrderStatus> {
    fn parse_field(raw: &str) -> Result<Self, String> {
        raw.split(',').map(FieldValue::parse_field).collect()
    }
}

/// An RFC 3339 instant (`2025-01-01T00:00:00Z`).
impl FieldValue for OffsetDateTime {
    fn parse_field(raw: &str) -> Result<Self, String> {
        OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| "must be an RFC 3339 instant".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use domain::bots::BotKind;
    use domain::orders::OrderStatus;
    use domain::shared::ids::ContextId;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        context_id: Parsed<ContextId>,
        kind: Option<Parsed<BotKind>>,
        status: Option<Parsed<BTreeSet<OrderStatus>>>,
    }

    fn fields(err: ApiError) -> Vec<String> {
        assert_eq!(err.code(), crate::error::ErrorCode::ValidationFailed);
        err.field_errors().iter().map(|e| format!("{}:{}", e.field, e.code.as_str())).collect()
    }

    #[test]
    fn values_are_typed_and_every_malformed_one_is_named() {
        let id = ContextId::new();
        let body: Body = serde_json::from_str(&format!(r#"{{"context_id": "{id}", "status": "new,filled"}}"#)).unwrap();
        let mut check = FieldCheck::default();
        let context = check.required("context_id", body.context_id);
        let kind = check.optional("kind", body.kind);
        let status = check.optional("status", body.status);
        assert_eq!(
            check.finish(Some((context, kind, status))).unwrap(),
            (Some(id), None, Some([OrderStatus::New, OrderStatus::Filled].into_iter().collect()))
        );

        let body: Body =
            serde_json::from_str(r#"{"context_id": "ctx", "kind": "grid", "status": "new,open"}"#).unwrap();
        let mut check = FieldCheck::default();
        let context = check.required("context_id", body.context_id);
        let kind = check.optional("kind", body.kind);
        let status = check.optional("status", body.status);
        let err = check.finish(context.zip(kind).zip(status)).unwrap_err();
        assert_eq!(fields(err), ["context_id:invalid", "kind:invalid", "status:invalid"]);
    }

    #[test]
    fn a_blank_text_is_told_apart_and_a_wrong_type_is_refused_by_serde() {
        let body: Body = serde_json::from_str(r#"{"context_id": " "}"#).unwrap();
        assert!(body.context_id.is_blank());
        assert!(serde_json::from_str::<Body>(r#"{"context_id": true}"#).is_err());
        assert!(OffsetDateTime::parse_field("2025-01-01T00:00:00+01:00").is_ok());
        assert!(OffsetDateTime::parse_field("yesterday").is_err());
    }
}
