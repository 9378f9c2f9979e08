//! The fake's refunds: `POST /v1/payments/{id}/refunds` as Mercado Pago documents it: the
//! payment must be `approved`; an empty body refunds it in full, `amount` refunds part of it (a
//! number no larger than what is left); the `X-Idempotency-Key` (required, checked by the guard)
//! replays the first refund made under it instead of refunding again. A full refund leaves the
//! payment `refunded`.

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use wiremock::{Request, ResponseTemplate};

use super::{bad_request, header, not_found, FakeMercadoPago, State};

/// Refund ids, as Mercado Pago's (numbers).
const FIRST_REFUND_ID: u64 = 1_500_000_000;

/// `POST /v1/payments/{id}/refunds`.
pub(super) fn create(state: &mut State, request: &Request) -> ResponseTemplate {
    let key = header(request, "x-idempotency-key").unwrap_or_default().to_owned();
    let payment_id = request.url.path().split('/').nth(3).unwrap_or_default().to_owned();
    if let Some((for_payment, refund)) = state.refunds.get(&key) {
        if *for_payment != payment_id {
            return bad_request("X-Idempotency-Key", "already used for another request");
        }
        return ResponseTemplate::new(201).set_body_json(refund.clone());
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    if body.as_object().is_some_and(|o| o.keys().any(|k| k != "amount")) {
        return bad_request("body", "only amount can be sent");
    }
    let Some(payment) = state.payments.get_mut(&payment_id) else { return not_found() };
    if payment["status"] != "approved" {
        return bad_request("payment", "only an approved payment can be refunded");
    }
    let total = payment["transaction_amount"].as_f64().unwrap_or_default();
    let refunded = payment["transaction_amount_refunded"].as_f64().unwrap_or_default();
    let left = ((total - refunded) * 100.0).round() / 100.0;
    let amount = match body.get("amount") {
        None => left,
        Some(a) => match a.as_f64() {
            Some(a) if a >= 0.01 && a <= left => a,
            _ => return bad_request("amount", "must be a number between 0.01 and what is left to refund"),
        },
    };
    let now = OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default();
    payment["transaction_amount_refunded"] = json!(refunded + amount);
    payment["date_last_updated"] = json!(now);
    if (refunded + amount - total).abs() < 0.005 {
        payment["status"] = json!("refunded");
        payment["status_detail"] = json!("refunded");
    }
    let id = FIRST_REFUND_ID + state.refunds.len() as u64;
    let refund = json!({"id": id, "payment_id": payment_id.parse::<u64>().unwrap_or_default(), "amount": amount,
        "status": "approved", "source": {"type": "collector"}, "date_created": now, "unique_sequence_number": null});
    state.refunds.insert(key, (payment_id, refund.clone()));
    ResponseTemplate::new(201).set_body_json(refund)
}

impl FakeMercadoPago {
    /// How many refunds were made (replays under one key count once).
    pub fn refund_count(&self) -> usize {
        self.state.lock().unwrap().refunds.len()
    }
}
