//! A strict, stateful fake of the parts of Stripe's API botfleet calls (Checkout Sessions,
//! subscriptions read, updated (plan changes with proration, in `stripe_plans.rs`) and cancelled
//! at once, the invoice preview), on a local wiremock server, plus signed webhook events.
//!
//! Strict as Stripe documents it: every call needs the secret key (`Authorization: Bearer`, or
//! Basic with the key as user name), else 401; POST bodies are form-encoded; an `Idempotency-Key`
//! replays the first answer to the same parameters and refuses other parameters under the same
//! key with 400 `idempotency_error`; a Checkout Session needs its mode, a known price and the URLs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::{header, Guarded, Handler};

#[path = "stripe_plans.rs"]
mod plans;
#[path = "stripe_refunds.rs"]
mod refunds;
#[path = "stripe_schedules.rs"]
mod schedules;

/// The webhook signing secret the server under test is configured with.
pub const WEBHOOK_SECRET: &str = "whsec_test_botfleet_fake_0123456789";
/// Price id of PRO.
pub const PRICE_PRO: &str = "price_pro_monthly";
/// Price id of MAX.
pub const PRICE_MAX: &str = "price_max_monthly";
/// Yearly price id of PRO (known to the fake; the server is configured with it by
/// [`FakeStripe::settings_with_annual_prices`]).
pub const PRICE_PRO_ANNUAL: &str = "price_pro_yearly";
/// Yearly price id of MAX.
pub const PRICE_MAX_ANNUAL: &str = "price_max_yearly";
/// The secret key the fake accepts (and the server under test is configured with).
pub const SECRET_KEY: &str = "sk_test_fake_0123456789";

#[derive(Debug, Default)]
struct State {
    sessions: HashMap<String, Value>,
    subscriptions: HashMap<String, Value>,
    /// Ids of the subscriptions cancelled at once (`DELETE`), one entry per successful call.
    cancelled_now: Vec<String>,
    /// How many of the next `DELETE`s answer 500 (with `stripe-should-retry: false`).
    failing_cancellations: u32,
    /// Invoices created by changes prorated with `always_invoice`, in order.
    invoices: Vec<Value>,
    /// The form of every subscription update that changed the item's price, in order.
    plan_changes: Vec<HashMap<String, String>>,
    /// Each idempotency key's request (method, path, body) and first answer.
    idempotency: HashMap<String, (String, Vec<u8>, ResponseTemplate)>,
    /// Paid invoices' payments by invoice id (payment intent, charge, amount, refunded).
    paid_invoices: HashMap<String, Value>,
    /// Refunds made, in order.
    refunds: Vec<Value>,
    /// Subscription schedules by id.
    schedules: HashMap<String, Value>,
    /// Promotion codes: (customer-facing code, `promo_…` id, active).
    promotion_codes: Vec<(String, String, bool)>,
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

fn stripe_error(status: u16, kind: &str, code: Option<&str>, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {"type": kind, "code": code, "message": message}}))
}

/// The secret key, and form-encoded bodies on POST.
fn guard(request: &Request) -> Option<ResponseTemplate> {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SECRET_KEY}:"));
    let auth = header(request, "authorization").unwrap_or_default();
    if auth != format!("Bearer {SECRET_KEY}") && auth != format!("Basic {basic}") {
        let message = "Invalid API Key provided: sk_test_****6789";
        return Some(stripe_error(401, "invalid_request_error", None, message));
    }
    let form_type = header(request, "content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if request.method == "POST" && !request.body.is_empty() && !form_type {
        return Some(stripe_error(400, "invalid_request_error", None, "Invalid request: bodies are form-encoded"));
    }
    if header(request, "idempotency-key").is_some_and(|k| k.len() > 255) {
        return Some(stripe_error(400, "invalid_request_error", None, "Idempotency-Key longer than 255"));
    }
    None
}

/// Runs `route` once per `Idempotency-Key`: the same key and parameters replay the first answer;
/// other parameters under the same key are refused, as Stripe does.
fn idempotent(state: &mut State, request: &Request, route: super::Route<State>) -> ResponseTemplate {
    let Some(key) = header(request, "idempotency-key").map(str::to_owned) else { return route(state, request) };
    let target = format!("{} {}", request.method, request.url.path());
    if let Some((first_target, body, answer)) = state.idempotency.get(&key) {
        if *first_target == target && *body == request.body {
            return answer.clone();
        }
        let message =
            "Keys for idempotent requests can only be used with the same parameters they were first used with.";
        return stripe_error(400, "idempotency_error", None, message);
    }
    let answer = route(state, request);
    state.idempotency.insert(key, (target, request.body.clone(), answer.clone()));
    answer
}

fn missing() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"error": {"type": "invalid_request_error",
        "code": "resource_missing", "message": "No such subscription"}}))
}

fn create_session(state: &mut State, request: &Request) -> ResponseTemplate {
    idempotent(state, request, new_session)
}

fn new_session(state: &mut State, request: &Request) -> ResponseTemplate {
    let fields = form(request);
    let param = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    for name in ["mode", "success_url", "line_items[0][price]", "line_items[0][quantity]"] {
        if param(name).is_empty() {
            return stripe_error(
                400,
                "invalid_request_error",
                Some("parameter_missing"),
                &format!("Missing required param: {name}."),
            );
        }
    }
    if !["payment", "setup", "subscription"].contains(&param("mode")) {
        return stripe_error(400, "invalid_request_error", Some("parameter_invalid"), "Invalid mode");
    }
    if ![PRICE_PRO, PRICE_MAX, PRICE_PRO_ANNUAL, PRICE_MAX_ANNUAL].contains(&param("line_items[0][price]")) {
        let message = format!("No such price: '{}'", param("line_items[0][price]"));
        return stripe_error(400, "invalid_request_error", Some("resource_missing"), &message);
    }
    if fields.contains_key("allow_promotion_codes") && fields.keys().any(|k| k.starts_with("discounts[")) {
        let message = "You may only specify one of these parameters: allow_promotion_codes, discounts.";
        return stripe_error(400, "invalid_request_error", None, message);
    }
    if fields.get("allow_promotion_codes").is_some_and(|v| v != "true" && v != "false") {
        return stripe_error(400, "invalid_request_error", Some("parameter_invalid"), "Invalid boolean");
    }
    if let Some(days) = fields.get("subscription_data[trial_period_days]") {
        if param("mode") != "subscription" || !days.parse::<u32>().is_ok_and(|d| (1..=730).contains(&d)) {
            let message = "trial_period_days must be an integer from 1 to 730, in subscription mode";
            return stripe_error(400, "invalid_request_error", Some("parameter_invalid_integer"), message);
        }
    }
    if let Some(promo) = fields.get("discounts[0][promotion_code]") {
        if !state.promotion_codes.iter().any(|(_, id, active)| id == promo && *active) {
            let message = format!("No such promotion code: '{promo}'");
            return stripe_error(400, "invalid_request_error", Some("resource_missing"), &message);
        }
    }
    let id = format!("cs_test_{}", state.sessions.len());
    let session = json!({"id": id, "object": "checkout.session", "url": format!("https://checkout.stripe.com/c/pay/{id}"),
        "form": fields});
    state.sessions.insert(id, session.clone());
    ResponseTemplate::new(200).set_body_json(session)
}

/// `GET /v1/promotion_codes?code=…&active=…`: the list, filtered as Stripe documents (the code
/// compared ignoring case).
fn list_promotion_codes(state: &mut State, request: &Request) -> ResponseTemplate {
    let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
    if let Some(active) = query.get("active").filter(|a| *a != "true" && *a != "false") {
        return stripe_error(
            400,
            "invalid_request_error",
            Some("parameter_invalid"),
            &format!("Invalid boolean: {active}"),
        );
    }
    let data: Vec<Value> = state
        .promotion_codes
        .iter()
        .filter(|(code, _, active)| {
            query.get("code").is_none_or(|c| c.eq_ignore_ascii_case(code))
                && query.get("active").is_none_or(|a| (a == "true") == *active)
        })
        .map(|(code, id, active)| json!({"id": id, "object": "promotion_code", "code": code, "active": active}))
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"object": "list", "url": "/v1/promotion_codes", "has_more": false,
        "data": data}))
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
    idempotent(state, request, change_subscription)
}

fn change_subscription(state: &mut State, request: &Request) -> ResponseTemplate {
    let changes = form(request);
    if let Some(refused) = plans::change_price(state, &subscription_id(request), &changes) {
        return refused;
    }
    let Some(sub) = state.subscriptions.get_mut(&subscription_id(request)) else { return missing() };
    if let Some(flag) = changes.get("cancel_at_period_end") {
        if flag != "true" && flag != "false" {
            return stripe_error(400, "invalid_request_error", Some("parameter_invalid_boolean"), "Invalid boolean");
        }
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
        let routes: [(&str, &str, Route); 11] = [
            ("POST", "^/v1/checkout/sessions$", create_session),
            ("GET", "^/v1/promotion_codes$", list_promotion_codes),
            ("POST", "^/v1/invoices/create_preview$", plans::create_preview),
            ("GET", "^/v1/subscriptions/[A-Za-z0-9_]+$", read_subscription),
            ("POST", "^/v1/subscriptions/[A-Za-z0-9_]+$", update_subscription),
            ("DELETE", "^/v1/subscriptions/[A-Za-z0-9_]+$", cancel_subscription_now),
            ("GET", "^/v1/invoice_payments$", refunds::list_invoice_payments),
            ("POST", "^/v1/refunds$", refunds::create_refund),
            ("POST", "^/v1/subscription_schedules$", schedules::create),
            ("POST", "^/v1/subscription_schedules/[A-Za-z0-9_]+$", schedules::update),
            ("POST", "^/v1/subscription_schedules/[A-Za-z0-9_]+/release$", schedules::release),
        ];
        for (verb, route, handler) in routes {
            Mock::given(method(verb))
                .and(path_regex(route))
                .respond_with(Guarded(guard, Handler(state.clone(), handler)))
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
            ("BOTFLEET_STRIPE_SECRET_KEY", SECRET_KEY.into()),
            ("BOTFLEET_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("BOTFLEET_STRIPE_PRICE_PRO", PRICE_PRO.into()),
            ("BOTFLEET_STRIPE_PRICE_MAX", PRICE_MAX.into()),
            ("BOTFLEET_STRIPE_API_BASE", self.uri()),
        ]
    }

    /// [`Self::settings`] with the yearly prices too.
    pub fn settings_with_annual_prices(&self) -> Vec<(&'static str, String)> {
        let mut settings = self.settings();
        settings.push(("BOTFLEET_STRIPE_PRICE_PRO_ANNUAL", PRICE_PRO_ANNUAL.into()));
        settings.push(("BOTFLEET_STRIPE_PRICE_MAX_ANNUAL", PRICE_MAX_ANNUAL.into()));
        settings
    }

    /// Adds a promotion code `code` with id `id` (`promo_…`), active or not.
    pub fn add_promotion_code(&self, code: &str, id: &str, active: bool) {
        self.state.lock().unwrap().promotion_codes.push((code.into(), id.into(), active));
    }

    /// Checkout Sessions created, as the form fields Stripe received.
    pub fn sessions(&self) -> Vec<HashMap<String, String>> {
        let state = self.state.lock().unwrap();
        state.sessions.values().map(|s| serde_json::from_value(s["form"].clone()).unwrap_or_default()).collect()
    }

    /// The payer completed checkout: Stripe now holds an active subscription `id` of `user` on
    /// `plan` (`PRO`/`MAX`) whose period ends at `period_end` (unix seconds).
    pub fn subscribe(&self, id: &str, user: &str, plan: &str, period_end: i64) {
        self.subscribe_for(id, user, plan, period_end - 30 * 86_400, period_end);
    }

    /// The same, for the period from `start` to `end` (unix seconds).
    pub fn subscribe_for(&self, id: &str, user: &str, plan: &str, start: i64, end: i64) {
        let price = if plan == "MAX" { PRICE_MAX } else { PRICE_PRO };
        let sub = json!({
            "id": id, "object": "subscription", "customer": "cus_fake_1", "status": "active",
            "cancel_at_period_end": false,
            "metadata": {"user_id": user, "plan": plan},
            "items": {"object": "list", "data": [{"id": format!("si_{id}"), "price": {"id": price},
                "current_period_start": start, "current_period_end": end}]}
        });
        self.state.lock().unwrap().subscriptions.insert(id.to_owned(), sub);
    }

    /// The period ended and Stripe renewed the subscription at its item's price (the next phase's,
    /// when a schedule has one): the next period runs from the old end for the price's interval
    /// (30 or 365 days). Returns the renewal invoice (for `invoice.paid`).
    pub fn renew(&self, id: &str) -> Value {
        let mut state = self.state.lock().unwrap();
        let next = state.subscriptions.get(id).and_then(|sub| schedules::next_price(&state, sub));
        let Some(sub) = state.subscriptions.get_mut(id) else { return Value::Null };
        let item = &mut sub["items"]["data"][0];
        if let Some(price) = next {
            item["price"] = json!({"id": price});
        }
        let end = item["current_period_end"].as_i64().unwrap_or(0);
        let length = item["price"]["id"].as_str().map_or(30 * 86_400, plans::interval);
        item["current_period_start"] = json!(end);
        item["current_period_end"] = json!(end + length);
        let amount = item["price"]["id"].as_str().and_then(plans::unit_amount).unwrap_or(0);
        json!({"id": format!("in_renewal_{id}_{end}"), "object": "invoice", "status": "paid", "amount_paid": amount,
            "currency": "brl", "hosted_invoice_url": format!("https://invoice.stripe.com/i/{id}_{end}"),
            "billing_reason": "subscription_cycle",
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": id}},
            "lines": {"object": "list", "data": [{"amount": amount, "period": {"start": end, "end": end + length}}]}})
    }

    /// The subscription schedule `id` as Stripe holds it.
    pub fn schedule(&self, id: &str) -> Value {
        self.state.lock().unwrap().schedules.get(id).cloned().unwrap_or(Value::Null)
    }

    /// Invoices created by prorated changes (`always_invoice`), in order.
    pub fn invoices(&self) -> Vec<Value> {
        self.state.lock().unwrap().invoices.clone()
    }

    /// The form of every update that changed a subscription's price, in order.
    pub fn plan_changes(&self) -> Vec<HashMap<String, String>> {
        self.state.lock().unwrap().plan_changes.clone()
    }

    /// Bills subscription `id` at `price` (an annual one, say), without telling anyone.
    pub fn set_price(&self, id: &str, price: &str) {
        if let Some(sub) = self.state.lock().unwrap().subscriptions.get_mut(id) {
            sub["items"]["data"][0]["price"] = json!({"id": price});
        }
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
