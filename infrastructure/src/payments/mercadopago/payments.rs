//! One-off payments through the Payments API: `POST /v1/payments` with `payment_method_id` `pix`
//! or `bolbradesco` (boleto), and `GET /v1/payments/search?external_reference=` to find a payment
//! whose notification was lost. The PIX codes come from `point_of_interaction.transaction_data`,
//! the boleto's from `transaction_details` (`external_resource_url`, `barcode.content`,
//! `digitable_line`), every one optional in the parser.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
use time::macros::{format_description, offset};
use time::OffsetDateTime;

use domain::subscriptions::{
    CreatedPayment, OneOffPaymentRequest, PaymentError, PaymentInstructions, PaymentMethod, ProviderPayment,
};

use super::wire::{self, id_text, timestamp, Payment};

/// `POST /v1/payments` body.
#[derive(Debug, Serialize)]
pub(super) struct NewPayment<'a> {
    transaction_amount: Box<RawValue>,
    description: &'a str,
    payment_method_id: &'static str,
    external_reference: &'a str,
    date_of_expiration: String,
    payer: NewPayer<'a>,
}

#[derive(Debug, Serialize)]
struct NewPayer<'a> {
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identification: Option<Identification<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<NewAddress<'a>>,
}

#[derive(Debug, Serialize)]
struct Identification<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    number: &'a str,
}

#[derive(Debug, Serialize)]
struct NewAddress<'a> {
    zip_code: &'a str,
    street_name: &'a str,
    street_number: &'a str,
    neighborhood: &'a str,
    city: &'a str,
    federal_unit: &'a str,
}

/// `date_of_expiration` as the guides write it: milliseconds and Brasília's offset.
fn expiration(at: OffsetDateTime) -> Result<String, PaymentError> {
    let format = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
    );
    at.to_offset(offset!(-3)).format(&format).map_err(|e| PaymentError::Malformed(format!("expiry: {e}")))
}

impl<'a> NewPayment<'a> {
    /// The body for `request`. Errors: `Rejected` for a card (not a one-off method here).
    pub(super) fn of(request: &'a OneOffPaymentRequest) -> Result<Self, PaymentError> {
        let payment_method_id = match request.method {
            PaymentMethod::Pix => "pix",
            PaymentMethod::Boleto => "bolbradesco",
            PaymentMethod::Card | PaymentMethod::Comp => {
                return Err(PaymentError::Rejected {
                    code: "method_not_supported".into(),
                    message: "cards are paid through the preapproval checkout".into(),
                })
            }
        };
        let payer = &request.payer;
        Ok(Self {
            transaction_amount: wire::json_amount(request.amount)?,
            description: &request.description,
            payment_method_id,
            external_reference: &request.external_reference,
            date_of_expiration: expiration(request.expires_at)?,
            payer: NewPayer {
                email: &payer.email,
                first_name: payer.first_name.as_deref(),
                last_name: payer.last_name.as_deref(),
                identification: payer
                    .identification
                    .as_ref()
                    .map(|t| Identification { kind: t.kind(), number: t.number() }),
                address: payer.address.as_ref().map(|a| NewAddress {
                    zip_code: &a.zip_code,
                    street_name: &a.street_name,
                    street_number: &a.street_number,
                    neighborhood: &a.neighborhood,
                    city: &a.city,
                    federal_unit: &a.federal_unit,
                }),
            },
        })
    }
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// A created payment's id and how to pay it.
pub(super) fn created(payment: &Payment) -> Result<CreatedPayment, PaymentError> {
    let id = id_text(&payment.id).ok_or_else(|| PaymentError::Malformed("created payment without an id".into()))?;
    let pix = &payment.point_of_interaction["transaction_data"];
    let details = &payment.transaction_details;
    let instructions = PaymentInstructions {
        qr_code: text(pix, &["qr_code"]),
        qr_code_base64: text(pix, &["qr_code_base64"]),
        url: text(pix, &["ticket_url"]).or_else(|| text(details, &["external_resource_url"])),
        barcode: text(details, &["barcode", "content"]),
        digitable_line: text(details, &["digitable_line"]),
    };
    if instructions.qr_code.is_none() && instructions.url.is_none() {
        return Err(PaymentError::Malformed(format!("payment {id} has neither a PIX code nor a boleto URL")));
    }
    Ok(CreatedPayment { id, instructions, expires_at: timestamp(payment.date_of_expiration.as_deref()) })
}

/// Search results as payments; an unreadable one is skipped (logged), not fatal to the others.
pub(super) fn found(results: Vec<Payment>) -> Vec<ProviderPayment> {
    results
        .into_iter()
        .filter_map(|p| match super::mapping::payment(p) {
            Ok(p) => Some(p),
            Err(error) => {
                tracing::warn!(%error, "skipping an unreadable Mercado Pago search result");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn expiry_is_written_in_brasilia_time_with_milliseconds() {
        assert_eq!(expiration(datetime!(2026-05-31 02:59:59 UTC)).unwrap(), "2026-05-30T23:59:59.000-03:00");
    }

    #[test]
    fn reads_pix_and_boleto_instructions() {
        let pix: Payment = serde_json::from_value(serde_json::json!({"id": 5466310457u64, "status": "pending",
            "point_of_interaction": {"type": "PIX", "transaction_data": {"qr_code": "000201", "qr_code_base64": "iVBOR",
            "ticket_url": "https://mp/ticket"}}}))
        .unwrap();
        let made = created(&pix).unwrap();
        assert_eq!((made.id.as_str(), made.instructions.qr_code.as_deref()), ("5466310457", Some("000201")));
        let boleto: Payment = serde_json::from_value(serde_json::json!({"id": 1, "transaction_details": {
            "external_resource_url": "https://mp/boleto", "barcode": {"content": "2379"}, "digitable_line": "23793.3"}}))
        .unwrap();
        let made = created(&boleto).unwrap();
        assert_eq!(
            (made.instructions.url.as_deref(), made.instructions.barcode.as_deref()),
            (Some("https://mp/boleto"), Some("2379"))
        );
        let neither: Payment = serde_json::from_value(serde_json::json!({"id": 2})).unwrap();
        assert!(matches!(created(&neither), Err(PaymentError::Malformed(_))));
    }
}
