//! A strict, stateful fake of the parts of Mercado Pago's API botfleet calls (preapprovals created,
//! read and cancelled; payments created as PIX or boleto, read and searched by external reference),
//! on a local wiremock server, plus signed notifications.
//!
//! Strict as the provider documents it: every call needs `Authorization: Bearer <access token>`
//! (else 401 `unauthorized`), every POST a JSON body and an `X-Idempotency-Key` (a repeated key
//! replays the first answer instead of creating a second object), and bodies missing a required
//! field are refused with 400 `bad_request` and its `cause`.

mod payments;
mod refunds;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::{header, Guarded, Handler};

/// The webhook secret the server under test is configured with.
pub const WEBHOOK_SECRET: &str = "mp-webhook-secret-fake-0123456789";
/// The access token the fake accepts (and the server under test is configured with).
pub const ACCESS_TOKEN: &str = "APP_USR-fake-0123456789";

#[derive(Debug, Default)]
pub(crate) struct State {
    preapprovals: HashMap<String, Value>,
    payments: HashMap<String, Value>,
    /// What each idempotency key created: the id of the object, replayed on a repeat.
    idempotency: HashMap<String, String>,
    /// Bodies of the payments created (`POST /v1/payments`), in order.
    payment_requests: Vec<Value>,
    /// Refunds by idempotency key, with the payment each refunded.
    refunds: HashMap<String, (String, Value)>,
    /// How many of the next payment creations are refused (400), as a rejected payer would be.
    refused_payments: u32,
    /// How many of the next payment creations fail with a 500 (the caller retries).
    unavailable_payments: u32,
    /// The `X-Idempotency-Key` of every payment creation attempt, failed ones included.
    payment_keys: Vec<String>,
    /// How many of the next preapproval updates fail with a 500.
    unavailable_updates: u32,
    /// How long a created payment takes to be answered (requests overlap in a race test).
    payment_delay: Option<std::time::Duration>,
    /// The ids of the payments cancelled (`PUT /v1/payments/{id}`), in order.
    cancelled_payments: Vec<String>,
}

/// The running fake.
#[derive(Debug)]
pub struct FakeMercadoPago {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

type Route = super::Route<State>;

/// Mercado Pago's error body.
pub(crate) fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"message": message, "error": code, "status": status, "cause": []}))
}

/// A 400 naming the offending field, as Mercado Pago's `cause` does.
pub(crate) fn bad_request(field: &str, why: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({"message": format!("{field}: {why}"), "error": "bad_request",
        "status": 400, "cause": [{"code": 400, "description": format!("{field}: {why}")}]}))
}

/// Authentication, and for writes a JSON body and an idempotency key.
fn guard(request: &Request) -> Option<ResponseTemplate> {
    if header(request, "authorization") != Some(format!("Bearer {ACCESS_TOKEN}").as_str()) {
        return Some(error(401, "unauthorized", "invalid access token"));
    }
    if request.method == "GET" {
        return None;
    }
    if !header(request, "content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Some(bad_request("content-type", "must be application/json"));
    }
    if !serde_json::from_slice::<Value>(&request.body).is_ok_and(|v| v.is_object()) {
        return Some(bad_request("body", "must be a JSON object"));
    }
    let key = header(request, "x-idempotency-key").unwrap_or_default();
    if request.method == "POST" && (key.trim().is_empty() || key.len() > 256) {
        return Some(bad_request("X-Idempotency-Key", "header is required"));
    }
    None
}

fn last_segment(request: &Request) -> String {
    request.url.path().rsplit('/').next().unwrap_or_default().to_owned()
}

fn not_found() -> ResponseTemplate {
    error(404, "not_found", "not found")
}

/// The first required field missing from `body` (paths like `auto_recurring.currency_id`).
pub(crate) fn missing(body: &Value, fields: &[&str]) -> Option<ResponseTemplate> {
    fields
        .iter()
        .find(|f| f.split('.').try_fold(body, |v, k| v.get(k)).is_none_or(Value::is_null))
        .map(|f| bad_request(f, "is required"))
}

fn create_preapproval(state: &mut State, request: &Request) -> ResponseTemplate {
    let key = header(request, "x-idempotency-key").unwrap_or_default().to_owned();
    if let Some(id) = state.idempotency.get(&key) {
        return ResponseTemplate::new(201).set_body_json(state.preapprovals[id].clone());
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let required = [
        "reason",
        "external_reference",
        "payer_email",
        "back_url",
        "auto_recurring.frequency",
        "auto_recurring.frequency_type",
        "auto_recurring.transaction_amount",
        "auto_recurring.currency_id",
    ];
    if let Some(refusal) = missing(&body, &required) {
        return refusal;
    }
    if !body["auto_recurring"]["transaction_amount"].as_f64().is_some_and(|a| a >= 0.01) {
        return bad_request("auto_recurring.transaction_amount", "must be a number of at least 0.01");
    }
    // `frequency` units of `frequency_type` between charges: monthly is 1 month, yearly 12.
    if !body["auto_recurring"]["frequency"].as_u64().is_some_and(|f| (1..=12).contains(&f))
        || !["days", "months"].contains(&body["auto_recurring"]["frequency_type"].as_str().unwrap_or_default())
    {
        return bad_request("auto_recurring.frequency", "a whole number of days or months");
    }
    if body["auto_recurring"]["currency_id"] != "BRL" {
        return bad_request("auto_recurring.currency_id", "must be BRL");
    }
    let id = format!("2c93808{:025}", state.preapprovals.len());
    let preapproval = json!({
        "id": id, "status": "pending", "reason": body["reason"], "payer_email": body["payer_email"],
        "external_reference": body["external_reference"], "auto_recurring": body["auto_recurring"],
        "back_url": body["back_url"], "last_modified": "2026-11-01T10:00:00.000-03:00",
        "init_point": format!("https://www.mercadopago.com.br/subscriptions/checkout?preapproval_id={id}"),
    });
    state.idempotency.insert(key, id.clone());
    state.preapprovals.insert(id, preapproval.clone());
    ResponseTemplate::new(201).set_body_json(preapproval)
}

fn read_preapproval(state: &mut State, request: &Request) -> ResponseTemplate {
    state
        .preapprovals
        .get(&last_segment(request))
        .map_or_else(not_found, |p| ResponseTemplate::new(200).set_body_json(p))
}

fn update_preapproval(state: &mut State, request: &Request) -> ResponseTemplate {
    if state.unavailable_updates > 0 {
        state.unavailable_updates -= 1;
        return error(500, "internal_error", "try again (failed by the test)");
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let Some(p) = state.preapprovals.get_mut(&last_segment(request)) else { return not_found() };
    if let Some(status) = body["status"].as_str() {
        if !["pending", "authorized", "paused", "cancelled"].contains(&status) {
            return bad_request("status", "must be pending, authorized, paused or cancelled");
        }
        p["status"] = json!(status);
    }
    if let Some(recurring) = body.get("auto_recurring") {
        // Only the amount and the currency can change after creation, and both must be sent.
        if !recurring["transaction_amount"].as_f64().is_some_and(|a| a >= 0.01) {
            return bad_request("auto_recurring.transaction_amount", "must be a number of at least 0.01");
        }
        if recurring["currency_id"] != "BRL" || recurring.as_object().is_some_and(|o| o.len() != 2) {
            return bad_request("auto_recurring", "only transaction_amount and currency_id (BRL) can change");
        }
        p["auto_recurring"]["transaction_amount"] = recurring["transaction_amount"].clone();
    }
    if let Some(reference) = body["external_reference"].as_str() {
        p["external_reference"] = json!(reference);
    }
    ResponseTemplate::new(200).set_body_json(p.clone())
}

impl FakeMercadoPago {
    /// Starts the fake.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        let routes: [(&str, &str, Route); 8] = [
            ("POST", "^/preapproval$", create_preapproval),
            ("GET", "^/preapproval/[A-Za-z0-9]+$", read_preapproval),
            ("PUT", "^/preapproval/[A-Za-z0-9]+$", update_preapproval),
            ("POST", "^/v1/payments$", payments::create),
            ("GET", "^/v1/payments/search$", payments::search),
            ("GET", "^/v1/payments/[0-9]+$", payments::read),
            ("PUT", "^/v1/payments/[0-9]+$", payments::cancel),
            ("POST", "^/v1/payments/[0-9]+/refunds$", refunds::create),
        ];
        for (verb, route, handler) in routes {
            Mock::given(method(verb))
                .and(path_regex(route))
                .respond_with(Guarded(guard, Handler(state.clone(), handler)))
                .mount(&server)
                .await;
        }
        Self { server, state }
    }

    /// The API base to configure (`BOTFLEET_MERCADOPAGO_API_BASE`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The server settings that point botfleet at this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BOTFLEET_MERCADOPAGO_ACCESS_TOKEN", ACCESS_TOKEN.into()),
            ("BOTFLEET_MERCADOPAGO_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("BOTFLEET_MERCADOPAGO_API_BASE", self.uri()),
        ]
    }

    /// Answers each payment creation after `delay`, so requests made at once overlap.
    pub fn slow_payments(&self, delay: std::time::Duration) {
        self.state.lock().unwrap().payment_delay = Some(delay);
    }

    /// Refuses the next `n` payment creations with a 400 (`bad_request`).
    pub fn refuse_payments(&self, n: u32) {
        self.state.lock().unwrap().refused_payments = n;
    }

    /// Every preapproval, by id.
    pub fn preapprovals(&self) -> HashMap<String, Value> {
        self.state.lock().unwrap().preapprovals.clone()
    }

    /// The payer authorized (or paused, cancelled) preapproval `id`; `next_payment` is RFC 3339.
    pub fn set_preapproval(&self, id: &str, status: &str, next_payment: &str, modified: &str) {
        if let Some(p) = self.state.lock().unwrap().preapprovals.get_mut(id) {
            p["status"] = json!(status);
            p["next_payment_date"] = json!(next_payment);
            p["last_modified"] = json!(modified);
        }
    }

    /// A payment `id` of preapproval `subscription` with `status` (`approved`, `rejected`).
    pub fn add_payment(&self, id: &str, subscription: &str, status: &str) {
        let mut state = self.state.lock().unwrap();
        let reference =
            state.preapprovals.get(subscription).map(|p| p["external_reference"].clone()).unwrap_or_default();
        let payment = json!({
            "id": id.parse::<u64>().unwrap_or(1), "status": status, "external_reference": reference,
            "transaction_amount": 19.9, "date_last_updated": "2026-11-02T10:00:00.000-03:00",
            "point_of_interaction": {"type": "SUBSCRIPTIONS", "transaction_data": {"subscription_id": subscription}},
        });
        state.payments.insert(id.to_owned(), payment);
    }
}

/// A notification of `kind` (`payment`, `subscription_preapproval`) about `data_id`: the body, the
/// query string and the `x-signature` / `x-request-id` headers signed with `secret`.
pub fn signed_notification(
    kind: &str,
    data_id: &str,
    notification_id: u64,
    secret: &str,
    ts: i64,
) -> (Vec<u8>, String, Vec<(String, String)>) {
    use infrastructure::payments::mercadopago::{sign_manifest, signature_manifest};
    let body = json!({"id": notification_id, "type": kind, "action": format!("{kind}.updated"),
        "live_mode": false, "date_created": "2026-11-02T10:00:00.000-03:00", "data": {"id": data_id}});
    let request_id = format!("req-{notification_id}");
    let ts = ts.to_string();
    let manifest = signature_manifest(Some(data_id), Some(&request_id), Some(&ts));
    let v1 = sign_manifest(secret, &manifest);
    let headers = vec![("x-signature".to_owned(), format!("ts={ts},v1={v1}")), ("x-request-id".to_owned(), request_id)];
    (serde_json::to_vec(&body).unwrap(), format!("data.id={data_id}&type={kind}"), headers)
}
