//! The fake's Payments API: `POST /v1/payments` (PIX `pix`, boleto `bolbradesco`) checked as the
//! guides require, `GET /v1/payments/{id}`, `GET /v1/payments/search?external_reference=`, and the
//! test's controls (the payer pays, the payment expires).

use base64::Engine;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use wiremock::{Request, ResponseTemplate};

use super::{bad_request, header, last_segment, missing, not_found, FakeMercadoPago, State};

/// Payment ids start above 32 bits, as Mercado Pago's do.
const FIRST_PAYMENT_ID: u64 = 91_000_000_000;

fn boleto_fields() -> [&'static str; 10] {
    [
        "payer.first_name",
        "payer.last_name",
        "payer.identification.type",
        "payer.identification.number",
        "payer.address.zip_code",
        "payer.address.street_name",
        "payer.address.street_number",
        "payer.address.neighborhood",
        "payer.address.city",
        "payer.address.federal_unit",
    ]
}

/// Why a payment body is refused, as Mercado Pago would.
fn refusal(body: &Value, now: OffsetDateTime) -> Option<ResponseTemplate> {
    if let Some(refused) = missing(body, &["transaction_amount", "payment_method_id", "payer.email"]) {
        return Some(refused);
    }
    if !body["transaction_amount"].is_number() || body["transaction_amount"].as_f64().is_none_or(|a| a < 0.01) {
        return Some(bad_request("transaction_amount", "must be a number of at least 0.01"));
    }
    let method = body["payment_method_id"].as_str().unwrap_or_default();
    let (least, most) = match method {
        "pix" => (Duration::minutes(30), Duration::days(30)),
        "bolbradesco" => (Duration::days(1), Duration::days(30)),
        _ => return Some(bad_request("payment_method_id", "unknown payment method")),
    };
    if method == "bolbradesco" {
        if let Some(refused) = missing(body, &boleto_fields()) {
            return Some(refused);
        }
        let id = &body["payer"]["identification"];
        let digits = id["number"].as_str().unwrap_or_default();
        let length = match id["type"].as_str() {
            Some("CPF") => 11,
            Some("CNPJ") => 14,
            _ => return Some(bad_request("payer.identification.type", "must be CPF or CNPJ")),
        };
        if digits.len() != length || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some(bad_request("payer.identification.number", "invalid identification number"));
        }
    }
    if body["external_reference"].as_str().is_some_and(|r| r.len() > 256) {
        return Some(bad_request("external_reference", "longer than 256 characters"));
    }
    if let Some(raw) = body.get("date_of_expiration").filter(|v| !v.is_null()) {
        let Some(at) = raw.as_str().and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok()) else {
            return Some(bad_request("date_of_expiration", "must be ISO 8601 with an offset"));
        };
        if at < now + least - Duration::minutes(1) || at > now + most + Duration::minutes(1) {
            return Some(bad_request("date_of_expiration", "out of the method's allowed range"));
        }
    }
    None
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// `POST /v1/payments`.
pub(super) fn create(state: &mut State, request: &Request) -> ResponseTemplate {
    let key = header(request, "x-idempotency-key").unwrap_or_default().to_owned();
    state.payment_keys.push(key.clone());
    if state.unavailable_payments > 0 {
        state.unavailable_payments -= 1;
        return super::error(500, "internal_error", "try again (failed by the test)");
    }
    if let Some(id) = state.idempotency.get(&key) {
        return ResponseTemplate::new(201).set_body_json(state.payments[id].clone());
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    if let Some(refused) = refusal(&body, now) {
        return refused;
    }
    if state.refused_payments > 0 {
        state.refused_payments -= 1;
        return bad_request("payer.email", "the payer cannot pay (refused by the test)");
    }
    let id = FIRST_PAYMENT_ID + state.payment_requests.len() as u64;
    let pix = body["payment_method_id"] == "pix";
    let default_expiry = if pix { now + Duration::hours(24) } else { now + Duration::days(3) };
    let mut payment = json!({
        "id": id, "status": "pending",
        "status_detail": if pix { "pending_waiting_transfer" } else { "pending_waiting_payment" },
        "payment_method_id": body["payment_method_id"],
        "payment_type_id": if pix { "bank_transfer" } else { "ticket" },
        "currency_id": "BRL", "transaction_amount": body["transaction_amount"], "description": body["description"],
        "external_reference": body["external_reference"], "date_created": rfc3339(now), "date_approved": null,
        "date_last_updated": rfc3339(now),
        "date_of_expiration": body.get("date_of_expiration").cloned().unwrap_or(json!(rfc3339(default_expiry))),
        "payer": {"email": body["payer"]["email"]},
    });
    if pix {
        let image = base64::engine::general_purpose::STANDARD.encode(format!("\u{89}PNG\r\n{id}"));
        payment["point_of_interaction"] = json!({"type": "PIX", "transaction_data": {
            "qr_code": format!("00020126580014br.gov.bcb.pix0136{id}5204000053039865802BR6304E2CA"),
            "qr_code_base64": image,
            "ticket_url": format!("https://www.mercadopago.com.br/payments/{id}/ticket?caller_id=1&hash=h")}});
    } else {
        let line = format!("23793.38128 60{:09}.9 {:011}1 8 1000000{:03}", id % 1_000_000_000, id, 0);
        payment["transaction_details"] = json!({
            "external_resource_url": format!("https://www.mercadopago.com.br/payments/{id}/ticket?caller_id=1&payment_method_id=bolbradesco"),
            "payment_method_reference_id": format!("{id}"),
            "barcode": {"content": format!("2379{id:040}")}, "digitable_line": line});
    }
    state.payment_requests.push(body);
    state.idempotency.insert(key, id.to_string());
    state.payments.insert(id.to_string(), payment.clone());
    let created = ResponseTemplate::new(201).set_body_json(payment);
    match state.payment_delay {
        Some(delay) => created.set_delay(delay),
        None => created,
    }
}

/// `GET /v1/payments/{id}`.
/// `PUT /v1/payments/{id}`: only `{"status": "cancelled"}`, and only of a payment still
/// `pending` or `in_process` (Mercado Pago's rule); a paid one answers 400.
pub(super) fn cancel(state: &mut State, request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    if body != json!({"status": "cancelled"}) {
        return bad_request("status", "only {\"status\": \"cancelled\"} is supported here");
    }
    let Some(payment) = state.payments.get_mut(&last_segment(request)) else { return not_found() };
    if !["pending", "in_process"].contains(&payment["status"].as_str().unwrap_or_default()) {
        return bad_request("status", "only a pending or in_process payment can be cancelled");
    }
    payment["status"] = json!("cancelled");
    payment["status_detail"] = json!("by_collector");
    payment["date_last_updated"] = json!(OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default());
    state.cancelled_payments.push(last_segment(request));
    ResponseTemplate::new(200).set_body_json(payment.clone())
}

pub(super) fn read(state: &mut State, request: &Request) -> ResponseTemplate {
    state.payments.get(&last_segment(request)).map_or_else(not_found, |p| ResponseTemplate::new(200).set_body_json(p))
}

/// `GET /v1/payments/search`: filtered by `external_reference` and `status`, newest first.
pub(super) fn search(state: &mut State, request: &Request) -> ResponseTemplate {
    let query = |name: &str| request.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let (reference, status) = (query("external_reference"), query("status"));
    let limit = query("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(30);
    let offset = query("offset").and_then(|o| o.parse::<usize>().ok()).unwrap_or(0);
    let mut found: Vec<&Value> = state
        .payments
        .values()
        .filter(|p| reference.as_deref().is_none_or(|r| p["external_reference"] == r))
        .filter(|p| status.as_deref().is_none_or(|s| p["status"] == s))
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(p["id"].as_u64()));
    let total = found.len();
    let results: Vec<Value> = found.into_iter().skip(offset).take(limit).cloned().collect();
    ResponseTemplate::new(200)
        .set_body_json(json!({"paging": {"total": total, "limit": limit, "offset": offset}, "results": results}))
}

impl FakeMercadoPago {
    /// The bodies of the payments created, in order.
    pub fn payment_requests(&self) -> Vec<Value> {
        self.state.lock().unwrap().payment_requests.clone()
    }

    /// The `X-Idempotency-Key` of every payment creation attempt, in order (failed ones too).
    pub fn payment_keys(&self) -> Vec<String> {
        self.state.lock().unwrap().payment_keys.clone()
    }

    /// The next `n` payment creations fail with a 500, as an outage would.
    pub fn fail_payments(&self, n: u32) {
        self.state.lock().unwrap().unavailable_payments = n;
    }

    /// The next `n` preapproval updates (`PUT /preapproval/{id}`) fail with a 500.
    pub fn fail_preapproval_updates(&self, n: u32) {
        self.state.lock().unwrap().unavailable_updates = n;
    }

    /// The ids of the payments cancelled by `PUT /v1/payments/{id}`, in order.
    pub fn cancelled_payments(&self) -> Vec<String> {
        self.state.lock().unwrap().cancelled_payments.clone()
    }

    /// A payment as Mercado Pago holds it.
    pub fn payment(&self, id: &str) -> Value {
        self.state.lock().unwrap().payments.get(id).cloned().unwrap_or(Value::Null)
    }

    /// The payer paid payment `id` at `approved_at` (`approved` / `accredited`).
    pub fn approve_payment(&self, id: &str, approved_at: OffsetDateTime) {
        self.set_payment(id, "approved", "accredited", Some(approved_at));
    }

    /// Payment `id` expired unpaid (`cancelled` / `expired`).
    pub fn expire_payment(&self, id: &str) {
        self.set_payment(id, "cancelled", "expired", None);
    }

    /// An operator refunded approved payment `id` in full (`refunded` / `refunded`), or the payer
    /// charged it back (`charged_back` / `settled`); the approval date stays.
    pub fn refund_payment(&self, id: &str, chargeback: bool) {
        if let Some(p) = self.state.lock().unwrap().payments.get_mut(id) {
            let (status, detail) = if chargeback { ("charged_back", "settled") } else { ("refunded", "refunded") };
            p["status"] = json!(status);
            p["status_detail"] = json!(detail);
            p["transaction_amount_refunded"] = p["transaction_amount"].clone();
            p["date_last_updated"] = json!(rfc3339(OffsetDateTime::now_utc()));
        }
    }

    fn set_payment(&self, id: &str, status: &str, detail: &str, approved_at: Option<OffsetDateTime>) {
        if let Some(p) = self.state.lock().unwrap().payments.get_mut(id) {
            p["status"] = json!(status);
            p["status_detail"] = json!(detail);
            p["date_approved"] = json!(approved_at.map(rfc3339));
            p["date_last_updated"] = json!(rfc3339(approved_at.unwrap_or_else(OffsetDateTime::now_utc)));
        }
    }
}
