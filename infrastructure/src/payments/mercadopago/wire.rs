//! Mercado Pago's JSON shapes as sent and received, with exact decimal amounts and lenient ids and dates.
//!
//! Amounts travel as JSON numbers in BRL. They are written from the decimal's own text and read from the
//! number's raw text (`serde_json::value::RawValue`), so no value ever passes through `f64`.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use domain::subscriptions::PaymentError;

/// `POST /preapproval` body: a monthly subscription without a plan, waiting for the payer (`pending`).
#[derive(Debug, Serialize)]
pub(super) struct NewPreapproval<'a> {
    pub reason: String,
    pub external_reference: String,
    pub payer_email: &'a str,
    pub back_url: &'a str,
    pub auto_recurring: AutoRecurring,
    pub status: &'static str,
}

/// The recurrence of a preapproval.
#[derive(Debug, Serialize)]
pub(super) struct AutoRecurring {
    pub frequency: u32,
    pub frequency_type: &'static str,
    /// The exact decimal text, emitted as a JSON number.
    pub transaction_amount: Box<RawValue>,
    pub currency_id: &'static str,
}

/// `PUT /preapproval/{id}` (or `PUT /v1/payments/{id}`) body changing only the status.
#[derive(Debug, Serialize)]
pub(super) struct StatusChange {
    pub status: &'static str,
}

/// A preapproval (subscription) as `/preapproval` answers it; only the fields we read.
#[derive(Debug, Deserialize)]
pub(super) struct Preapproval {
    pub id: Value,
    #[serde(default)]
    pub payer_id: Value,
    pub status: Option<String>,
    pub external_reference: Option<String>,
    pub init_point: Option<String>,
    pub next_payment_date: Option<String>,
    pub last_modified: Option<String>,
    /// `frequency` (months between charges: 1, or 12 for a yearly preapproval), amount, currency.
    #[serde(default)]
    pub auto_recurring: Value,
}

/// A payment as `GET /v1/payments/{id}` answers it; only the fields we read.
#[derive(Debug, Deserialize)]
pub(super) struct Payment {
    pub id: Value,
    pub status: Option<String>,
    pub external_reference: Option<String>,
    #[serde(default, deserialize_with = "exact_decimal")]
    pub transaction_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "exact_decimal")]
    pub transaction_amount_refunded: Option<Decimal>,
    pub date_approved: Option<String>,
    pub date_last_updated: Option<String>,
    #[serde(default)]
    pub metadata: Value,
    #[serde(default)]
    pub point_of_interaction: Value,
    #[serde(default)]
    pub transaction_details: Value,
    pub date_of_expiration: Option<String>,
}

/// `GET /v1/payments/search` answer.
#[derive(Debug, Deserialize)]
pub(super) struct PaymentSearch {
    #[serde(default)]
    pub results: Vec<Payment>,
}

/// Mercado Pago's error body: `{"status", "error", "message", "cause": [...]}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ApiError {
    pub error: Option<String>,
    pub message: Option<String>,
    #[serde(default)]
    pub cause: Value,
}

/// A decimal as an exact JSON number (`19.90` -> `19.9`, `97` -> `97`).
pub(super) fn json_amount(amount: Decimal) -> Result<Box<RawValue>, PaymentError> {
    RawValue::from_string(amount.normalize().to_string())
        .map_err(|e| PaymentError::Malformed(format!("amount {amount} is not a JSON number: {e}")))
}

/// Reads an optional amount from the raw JSON text: a number, or a string holding one.
pub(super) fn exact_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    let Some(raw) = Option::<Box<RawValue>>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let text = raw.get().trim();
    let text = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner,
        None => text,
    };
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a decimal amount")))
}

/// An id that Mercado Pago sends as a string or as a number, as text.
pub(super) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Mercado Pago timestamp (`2024-03-01T10:00:00.000-04:00`); `None` when absent or not RFC 3339.
pub(super) fn timestamp(raw: Option<&str>) -> Option<OffsetDateTime> {
    let raw = raw?.trim();
    match OffsetDateTime::parse(raw, &Rfc3339) {
        Ok(at) => Some(at),
        Err(error) => {
            tracing::warn!(raw, %error, "ignoring a Mercado Pago timestamp that is not RFC 3339");
            None
        }
    }
}

/// Whether `id` is safe to put in a URL path: 1 to 64 ASCII letters, digits, `-` or `_`.
pub(super) fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_exact_value() {
        assert_eq!(json_amount(Decimal::new(1990, 2)).unwrap().get(), "19.9");
        assert_eq!(json_amount(Decimal::new(97, 0)).unwrap().get(), "97");
        assert_eq!(json_amount(Decimal::new(9700, 2)).unwrap().get(), "97");
        assert_eq!(
            json_amount(Decimal::from_str("0.1000000000000000000000000001").unwrap()).unwrap().get(),
            "0.1000000000000000000000000001"
        );
    }

    #[test]
    fn reads_amounts_from_their_text() {
        let amount = |json: &str| {
            let body = format!(r#"{{"id":1,"transaction_amount":{json}}}"#);
            serde_json::from_str::<Payment>(&body).map(|p| p.transaction_amount)
        };
        assert_eq!(amount("19.9").unwrap(), Some(Decimal::new(199, 1)));
        assert_eq!(
            amount("0.1000000000000000000000000001").unwrap(),
            Some(Decimal::from_str("0.1000000000000000000000000001").unwrap())
        );
        assert_eq!(amount("\"97.00\"").unwrap(), Some(Decimal::new(9700, 2)));
        assert_eq!(amount("1.5e1").unwrap(), Some(Decimal::new(15, 0)));
        assert_eq!(amount("null").unwrap(), None);
        assert!(amount("true").is_err());
    }

    #[test]
    fn ids_and_timestamps() {
        assert_eq!(id_text(&serde_json::json!(123456)), Some("123456".into()));
        assert_eq!(id_text(&serde_json::json!("2c93")), Some("2c93".into()));
        assert_eq!(id_text(&Value::Null), None);
        assert!(timestamp(Some("2024-03-01T10:00:00.000-04:00")).is_some());
        assert!(timestamp(Some("yesterday")).is_none());
        assert!(is_valid_id("2c9380847e9b451c017ea1bd70ba0219") && is_valid_id("ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"));
        assert!(!is_valid_id("../v1/payments/1") && !is_valid_id("") && !is_valid_id("a?b"));
    }
}
