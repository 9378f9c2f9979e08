//! Subscription schedules in the fake, as Stripe documents them (API basil):
//! `POST /v1/subscription_schedules` with `from_subscription` and nothing else creates a schedule
//! whose one phase is the subscription's current period and price (400 when the subscription
//! already has one); `POST /v1/subscription_schedules/{id}` replaces the phases: the current one
//! must keep its `start_date`, each phase names a known price, the last one is sized by
//! `iterations` (or `duration[interval]`), unknown parameters are refused;
//! `POST /v1/subscription_schedules/{id}/release` detaches it (the subscription keeps its price).
//! The renewal ([`super::FakeStripe::renew`]) enters the next phase: its price is billed from then on.

use std::collections::HashMap;

use serde_json::{json, Value};
use wiremock::{Request, ResponseTemplate};

use super::plans::{interval, unit_amount};
use super::{form, idempotent, stripe_error, State};

fn invalid(message: &str) -> ResponseTemplate {
    stripe_error(400, "invalid_request_error", Some("parameter_invalid"), message)
}

fn no_such_schedule() -> ResponseTemplate {
    stripe_error(404, "invalid_request_error", Some("resource_missing"), "No such subscription_schedule")
}

/// `POST /v1/subscription_schedules` (`from_subscription` only).
pub(super) fn create(state: &mut State, request: &Request) -> ResponseTemplate {
    idempotent(state, request, create_schedule)
}

fn create_schedule(state: &mut State, request: &Request) -> ResponseTemplate {
    let fields = form(request);
    let Some(sub_id) = fields.get("from_subscription") else {
        return stripe_error(400, "invalid_request_error", Some("parameter_missing"), "Missing: from_subscription");
    };
    if fields.len() > 1 {
        return invalid("You cannot set other parameters when `from_subscription` is set.");
    }
    let Some(sub) = state.subscriptions.get_mut(sub_id) else { return super::missing() };
    if sub["schedule"].is_string() {
        return invalid("The subscription is already attached to a schedule.");
    }
    let id = format!("sub_sched_{}", state.schedules.len() + 1);
    let item = &sub["items"]["data"][0];
    let schedule = json!({"id": id, "object": "subscription_schedule", "subscription": sub_id, "status": "active",
        "end_behavior": "release", "current_phase": {"start_date": item["current_period_start"],
            "end_date": item["current_period_end"]},
        "phases": [{"start_date": item["current_period_start"], "end_date": item["current_period_end"],
            "items": [{"price": item["price"]["id"], "quantity": 1}]}]});
    sub["schedule"] = json!(id);
    state.schedules.insert(id, schedule.clone());
    ResponseTemplate::new(200).set_body_json(schedule)
}

fn schedule_id(request: &Request) -> String {
    let segments: Vec<&str> = request.url.path().split('/').collect();
    segments.get(3).copied().unwrap_or_default().to_owned()
}

/// `POST /v1/subscription_schedules/{id}`: the phases replaced.
pub(super) fn update(state: &mut State, request: &Request) -> ResponseTemplate {
    idempotent(state, request, update_schedule)
}

/// Phase `n`'s fields, checked; `Err` answers the refusal.
fn phase(fields: &HashMap<String, String>, n: usize) -> Result<Option<Value>, Box<ResponseTemplate>> {
    let refuse = |message: &str| Box::new(invalid(message));
    let get = |name: &str| fields.get(&format!("phases[{n}]{name}")).cloned();
    let Some(price) = get("[items][0][price]") else { return Ok(None) };
    if unit_amount(&price).is_none() {
        return Err(refuse(&format!("No such price: '{price}'")));
    }
    if get("[items][0][quantity]").is_some_and(|q| q.parse::<u32>().is_err()) {
        return Err(refuse("Invalid integer: quantity"));
    }
    let int = |name: &str| -> Result<Option<i64>, Box<ResponseTemplate>> {
        get(name).map(|v| v.parse::<i64>()).transpose().map_err(|_| refuse(&format!("Invalid integer: {name}")))
    };
    let start = int("[start_date]")?;
    let end = int("[end_date]")?;
    let iterations = int("[iterations]")?;
    if iterations.is_some_and(|i| i < 1) {
        return Err(refuse("iterations must be at least 1"));
    }
    let behaviours = ["create_prorations", "always_invoice", "none"];
    if get("[proration_behavior]").is_some_and(|b| !behaviours.contains(&b.as_str())) {
        return Err(refuse("Invalid proration_behavior"));
    }
    let sized = end.is_some() || iterations.is_some() || get("[duration][interval]").is_some();
    Ok(Some(json!({"price": price, "start_date": start, "end_date": end, "iterations": iterations, "sized": sized})))
}

fn update_schedule(state: &mut State, request: &Request) -> ResponseTemplate {
    let fields = form(request);
    let known = |k: &str| {
        k == "end_behavior" || k == "proration_behavior" || k.starts_with("phases[0]") || k.starts_with("phases[1]")
    };
    if let Some(unknown) = fields.keys().find(|k| !known(k)) {
        return invalid(&format!("Received unknown parameter: {unknown}"));
    }
    if fields.get("end_behavior").is_some_and(|b| !["release", "cancel", "none", "renew"].contains(&b.as_str())) {
        return invalid("Invalid end_behavior");
    }
    let Some(schedule) = state.schedules.get(&schedule_id(request)).cloned() else { return no_such_schedule() };
    if schedule["status"] != "active" {
        return invalid("You cannot update a subscription schedule that is released or canceled.");
    }
    let mut phases = Vec::new();
    for n in 0..2 {
        match phase(&fields, n) {
            Ok(Some(p)) => phases.push(p),
            Ok(None) => break,
            Err(refused) => return *refused,
        }
    }
    let Some(first) = phases.first() else { return invalid("Missing required param: phases.") };
    if first["start_date"] != schedule["phases"][0]["start_date"] {
        return invalid("You cannot change the start_date of the current phase.");
    }
    if phases.iter().any(|p| p["sized"] != true) {
        return invalid("Every phase needs an end_date, iterations or duration.");
    }
    // Stripe answers every phase with its dates: each starts where the one before ends.
    let mut start = first["start_date"].as_i64().unwrap_or_default();
    for phase in &mut phases {
        phase["start_date"] = json!(start);
        let length = phase["price"].as_str().map_or(0, interval) * phase["iterations"].as_i64().unwrap_or(1);
        let end = phase["end_date"].as_i64().unwrap_or(start + length);
        phase["end_date"] = json!(end);
        phase.as_object_mut().expect("an object").remove("sized");
        start = end;
    }
    let stored = state.schedules.get_mut(&schedule_id(request)).expect("read above");
    stored["phases"] = json!(phases);
    stored["end_behavior"] = json!(fields.get("end_behavior").map_or("release", String::as_str));
    ResponseTemplate::new(200).set_body_json(stored.clone())
}

/// `POST /v1/subscription_schedules/{id}/release`.
pub(super) fn release(state: &mut State, request: &Request) -> ResponseTemplate {
    idempotent(state, request, release_schedule)
}

fn release_schedule(state: &mut State, request: &Request) -> ResponseTemplate {
    let Some(schedule) = state.schedules.get_mut(&schedule_id(request)) else { return no_such_schedule() };
    if schedule["status"] != "active" {
        return invalid("You cannot release a subscription schedule that is released or canceled.");
    }
    schedule["status"] = json!("released");
    schedule["released_subscription"] = schedule["subscription"].clone();
    let answer = schedule.clone();
    if let Some(sub) = schedule["subscription"].as_str().and_then(|id| state.subscriptions.get_mut(id)) {
        sub["schedule"] = Value::Null;
    }
    ResponseTemplate::new(200).set_body_json(answer)
}

/// At the end of the current phase: the next phase's price, if the subscription's schedule has one.
pub(super) fn next_price(state: &State, sub: &Value) -> Option<String> {
    let schedule = state.schedules.get(sub["schedule"].as_str()?)?;
    let current = sub["items"]["data"][0]["current_period_end"].as_i64()?;
    let phases = schedule["phases"].as_array()?;
    let ends_now = phases.first()?["end_date"].as_i64() == Some(current);
    ends_now.then(|| phases.get(1)?["price"].as_str().map(str::to_owned)).flatten()
}
