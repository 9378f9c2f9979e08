//! A stateful fake of the parts of Mercado Pago's API botfleet calls (preapprovals created, read
//! and cancelled; payments read), on a local wiremock server, plus signed notifications.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::Handler;

/// The webhook secret the server under test is configured with.
pub const WEBHOOK_SECRET: &str = "mp-webhook-secret-fake-0123456789";

#[derive(Debug, Default)]
struct State {
    preapprovals: HashMap<String, Value>,
    payments: HashMap<String, Value>,
    idempotency: HashMap<String, String>,
}

/// The running fake.
#[derive(Debug)]
pub struct FakeMercadoPago {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

type Route = super::Route<State>;

fn last_segment(request: &Request) -> String {
    request.url.path().rsplit('/').next().unwrap_or_default().to_owned()
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"message": "not found", "error": "not_found", "status": 404}))
}

fn create_preapproval(state: &mut State, request: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let key = request.headers.get("x-idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if let Some(id) = state.idempotency.get(&key) {
        return ResponseTemplate::new(201).set_body_json(state.preapprovals[id].clone());
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
    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let Some(p) = state.preapprovals.get_mut(&last_segment(request)) else { return not_found() };
    if let Some(status) = body["status"].as_str() {
        p["status"] = json!(status);
    }
    ResponseTemplate::new(200).set_body_json(p.clone())
}

fn read_payment(state: &mut State, request: &Request) -> ResponseTemplate {
    state.payments.get(&last_segment(request)).map_or_else(not_found, |p| ResponseTemplate::new(200).set_body_json(p))
}

impl FakeMercadoPago {
    /// Starts the fake.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        let routes: [(&str, &str, Route); 4] = [
            ("POST", "^/preapproval$", create_preapproval),
            ("GET", "^/preapproval/[A-Za-z0-9]+$", read_preapproval),
            ("PUT", "^/preapproval/[A-Za-z0-9]+$", update_preapproval),
            ("GET", "^/v1/payments/[0-9]+$", read_payment),
        ];
        for (verb, route, handler) in routes {
            Mock::given(method(verb))
                .and(path_regex(route))
                .respond_with(Handler(state.clone(), handler))
                .mount(&server)
                .await;
        }
        Self { server, state }
    }

    /// The server settings that point botfleet at this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BOTFLEET_MERCADOPAGO_ACCESS_TOKEN", "APP_USR-fake-0123456789".into()),
            ("BOTFLEET_MERCADOPAGO_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("BOTFLEET_MERCADOPAGO_API_BASE", self.server.uri()),
        ]
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
