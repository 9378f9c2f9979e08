//! The fake's refunds, as Stripe documents them (API basil): an invoice's payments are listed by
//! `GET /v1/invoice_payments?invoice=in_…` (each `payment` names its `payment_intent`), and
//! `POST /v1/refunds` refunds a payment intent or a charge (exactly one of them), in full without
//! `amount`, at most what is left otherwise; a fully refunded charge answers 400
//! `charge_already_refunded`. Idempotency keys go through the fake's `idempotent` like every POST.

use serde_json::{json, Value};
use wiremock::{Request, ResponseTemplate};

use super::{form, idempotent, stripe_error, FakeStripe, State};

/// `GET /v1/invoice_payments?invoice=` or `?payment[type]=payment_intent&payment[payment_intent]=`.
pub(super) fn list_invoice_payments(state: &mut State, request: &Request) -> ResponseTemplate {
    let query = |name: &str| request.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let (invoice, intent) = (query("invoice"), query("payment[payment_intent]"));
    if intent.is_some() && query("payment[type]").as_deref() != Some("payment_intent") {
        let message = "Missing required param: payment[type].";
        return stripe_error(400, "invalid_request_error", Some("parameter_missing"), message);
    }
    if invoice.is_none() && intent.is_none() {
        let message = "Missing required param: invoice or payment.";
        return stripe_error(400, "invalid_request_error", Some("parameter_missing"), message);
    }
    let data: Vec<Value> = state
        .paid_invoices
        .iter()
        .filter(|(id, p)| {
            invoice.as_deref().is_none_or(|i| i == id.as_str())
                && intent.as_deref().is_none_or(|pi| p["payment_intent"] == pi)
        })
        .map(|(id, p)| {
            json!({"id": format!("inpay_{id}"), "object": "invoice_payment", "invoice": id,
                "status": "paid", "amount_paid": p["amount"], "currency": p["currency"], "is_default": true,
                "payment": {"type": "payment_intent", "payment_intent": p["payment_intent"]}})
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": data, "has_more": false,
        "url": "/v1/invoice_payments"}))
}

/// `POST /v1/refunds`.
pub(super) fn create_refund(state: &mut State, request: &Request) -> ResponseTemplate {
    idempotent(state, request, refund)
}

fn refund(state: &mut State, request: &Request) -> ResponseTemplate {
    let fields = form(request);
    let invalid = |message: &str| stripe_error(400, "invalid_request_error", None, message);
    let known = ["payment_intent", "charge", "amount", "reason", "metadata[invoice]"];
    if let Some(other) = fields.keys().find(|k| !known.contains(&k.as_str())) {
        return invalid(&format!("Received unknown parameter: {other}"));
    }
    let payment = match (fields.get("payment_intent"), fields.get("charge")) {
        (Some(pi), None) => state.paid_invoices.values_mut().find(|p| p["payment_intent"] == pi.as_str()),
        (None, Some(ch)) => state.paid_invoices.values_mut().find(|p| p["charge"] == ch.as_str()),
        _ => return invalid("You must pass exactly one of payment_intent or charge."),
    };
    let Some(payment) = payment else {
        return stripe_error(404, "invalid_request_error", Some("resource_missing"), "No such payment_intent");
    };
    let left = payment["amount"].as_i64().unwrap_or(0) - payment["amount_refunded"].as_i64().unwrap_or(0);
    if left <= 0 {
        let message = "Charge has already been refunded.";
        return stripe_error(400, "invalid_request_error", Some("charge_already_refunded"), message);
    }
    let amount = match fields.get("amount").map(|a| a.parse::<i64>()) {
        None => left,
        Some(Ok(a)) if a > 0 && a <= left => a,
        Some(_) => return stripe_error(400, "invalid_request_error", Some("amount_too_large"), "Invalid amount"),
    };
    payment["amount_refunded"] = json!(payment["amount_refunded"].as_i64().unwrap_or(0) + amount);
    let id = format!("re_fake_{}", state.refunds.len() + 1);
    let refund = json!({"id": id, "object": "refund", "amount": amount, "currency": payment["currency"],
        "status": "succeeded", "payment_intent": payment["payment_intent"], "charge": payment["charge"],
        "metadata": {"invoice": fields.get("metadata[invoice]")},
        "idempotency_key": crate::fakes::header(request, "idempotency-key")});
    state.refunds.push(refund.clone());
    ResponseTemplate::new(200).set_body_json(refund)
}

impl FakeStripe {
    /// Invoice `invoice` of `customer` was paid: `amount` minor units of `currency`, through
    /// payment intent `pi_<invoice>` and charge `ch_<invoice>`.
    pub fn pay_invoice(&self, invoice: &str, customer: &str, amount: i64, currency: &str) {
        let payment = json!({"payment_intent": format!("pi_{invoice}"), "charge": format!("ch_{invoice}"),
            "customer": customer, "amount": amount, "currency": currency, "amount_refunded": 0});
        self.state.lock().unwrap().paid_invoices.insert(invoice.to_owned(), payment);
    }

    /// Every refund made, in order (with the `idempotency_key` it was made under).
    pub fn refunds(&self) -> Vec<Value> {
        self.state.lock().unwrap().refunds.clone()
    }
}
