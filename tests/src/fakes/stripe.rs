//! A stateful fake of the parts of Stripe's API botfleet calls (Checkout Sessions, subscriptions
//! read, updated and cancelled at once), on a local wiremock server, plus signed webhook events.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::Handler;

/// The webhook signing secret the server under test is configured with.
pub const WEBHOOK_SECRET: &str = "whsec_test_botfleet_fake_0123456789";
/// Price id of PRO.
pub const PRICE_PRO: &str = "price_pro_monthly";
/// Price id of MAX.
pub const PRICE_MAX: &str = "price_max_monthly";

#[derive(Debug, Default)]
struct State {
    sessions: HashMap<String, Value>,
    subscriptions: HashMap<String, Value>,
    /// Ids of the subscriptions cancelled at once (`DELETE`), one entry per successful call.
    cancelled_now: Vec<String>,
    /// How many of the next `DELETE`s answer 500 (with `stripe-should-retry: false`).
    failing_cancellations: u32,
}

/// The running fake.
#[derive(Debug)]
pub struct FakeStripe {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

type Route = super::Route<State>;

fn form(request: &Request) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&request.body).unwrap_or_default().into_iter().collect()
}

fn missing() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"error": {"type": "invalid_request_error",
        "code": "resource_missing", "message": "No such subscription"}}))
}

fn create_session(state: &mut State, request: &Request) -> ResponseTemplate {
    let key = request.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let count = state.sessions.len();
    let session = state.sessions.entry(key).or_insert_with(|| {
        let id = format!("cs_test_{count}");
        json!({"id": id, "object": "checkout.session", "url": format!("https://checkout.stripe.com/c/pay/{id}"),
            "form": form(request)})
    });
    ResponseTemplate::new(200).set_body_json(session.clone())
}

fn subscription_id(request: &Request) -> String {
    request.url.path().rsplit('/').next().unwrap_or_default().to_owned()
}

fn read_subscription(state: &mut State, request: &Request) -> ResponseTemplate {
    match state.subscriptions.get(&subscription_id(request)) {
        Some(sub) => ResponseTemplate::new(200).set_body_json(sub.clone()),
        None => missing(),
    }
}

fn update_subscription(state: &mut State, request: &Request) -> ResponseTemplate {
    let changes = form(request);
    let Some(sub) = state.subscriptions.get_mut(&subscription_id(request)) else { return missing() };
    if let Some(flag) = changes.get("cancel_at_period_end") {
        sub["cancel_at_period_end"] = json!(flag == "true");
    }
    ResponseTemplate::new(200).set_body_json(sub.clone())
}

fn cancel_subscription_now(state: &mut State, request: &Request) -> ResponseTemplate {
    if state.failing_cancellations > 0 {
        state.failing_cancellations -= 1;
        return ResponseTemplate::new(500)
            .insert_header("stripe-should-retry", "false")
            .set_body_json(json!({"error": {"type": "api_error", "message": "An unknown error occurred"}}));
    }
    let id = subscription_id(request);
    state.cancelled_now.push(id.clone());
    let Some(sub) = state.subscriptions.get_mut(&id) else { return missing() };
    sub["status"] = json!("canceled");
    ResponseTemplate::new(200).set_body_json(sub.clone())
}

impl FakeStripe {
    /// Starts the fake.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        let routes: [(&str, &str, Route); 4] = [
            ("POST", "^/v1/checkout/sessions$", create_session),
            ("GET", "^/v1/subscriptions/[A-Za-z0-9_]+$", read_subscription),
            ("POST", "^/v1/subscriptions/[A-Za-z0-9_]+$", update_subscription),
            ("DELETE", "^/v1/subscriptions/[A-Za-z0-9_]+$", cancel_subscription_now),
        ];
        for (verb, route, handler) in routes {
            Mock::given(method(verb))
                .and(path_regex(route))
                .respond_with(Handler(state.clone(), handler))
                .mount(&server)
                .await;
        }
        Mock::given(method("GET")).and(path("/health")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
        Self { server, state }
    }

    /// The API base to configure (`BOTFLEET_STRIPE_API_BASE`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The server settings that point botfleet at this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BOTFLEET_STRIPE_SECRET_KEY", "sk_test_fake_0123456789".into()),
            ("BOTFLEET_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("BOTFLEET_STRIPE_PRICE_PRO", PRICE_PRO.into()),
            ("BOTFLEET_STRIPE_PRICE_MAX", PRICE_MAX.into()),
            ("BOTFLEET_STRIPE_API_BASE", self.uri()),
        ]
    }

    /// Checkout Sessions created, as the form fields Stripe received.
    pub fn sessions(&self) -> Vec<HashMap<String, String>> {
        let state = self.state.lock().unwrap();
        state.sessions.values().map(|s| serde_json::from_value(s["form"].clone()).unwrap_or_default()).collect()
    }

    /// The payer completed checkout: Stripe now holds an active subscription `id` of `user` on
    /// `plan` (`PRO`/`MAX`) whose period ends at `period_end` (unix seconds).
    pub fn subscribe(&self, id: &str, user: &str, plan: &str, period_end: i64) {
        let price = if plan == "MAX" { PRICE_MAX } else { PRICE_PRO };
        let sub = json!({
            "id": id, "object": "subscription", "customer": "cus_fake_1", "status": "active",
            "cancel_at_period_end": false,
            "metadata": {"user_id": user, "plan": plan},
            "items": {"object": "list", "data": [{"price": {"id": price}, "current_period_end": period_end}]}
        });
        self.state.lock().unwrap().subscriptions.insert(id.to_owned(), sub);
    }

    /// Changes a subscription's status at Stripe (without telling anyone).
    pub fn set_status(&self, id: &str, status: &str) {
        if let Some(sub) = self.state.lock().unwrap().subscriptions.get_mut(id) {
            sub["status"] = json!(status);
        }
    }

    /// The ids of every `DELETE /v1/subscriptions/{id}` (cancel at once) received, in order.
    pub fn cancelled_now(&self) -> Vec<String> {
        self.state.lock().unwrap().cancelled_now.clone()
    }

    /// The next `n` cancellations at once fail (500, not to be retried), as during an outage.
    pub fn fail_cancellations(&self, n: u32) {
        self.state.lock().unwrap().failing_cancellations = n;
    }

    /// The subscription as Stripe holds it.
    pub fn subscription(&self, id: &str) -> Value {
        self.state.lock().unwrap().subscriptions.get(id).cloned().unwrap_or(Value::Null)
    }
}

/// A Stripe event `id` of `kind` about `object`, created at `created`, and its
/// `Stripe-Signature` header signed with `secret` at `signed_at`.
pub fn signed_event(
    id: &str,
    kind: &str,
    object: Value,
    created: i64,
    secret: &str,
    signed_at: i64,
) -> (Vec<u8>, String) {
    let body = json!({"id": id, "object": "event", "api_version": "2025-03-31.basil", "created": created,
        "type": kind, "data": {"object": object}});
    let body = serde_json::to_vec(&body).unwrap();
    let header = infrastructure::payments::stripe::signature_header(secret, signed_at, &body);
    (body, header)
}
