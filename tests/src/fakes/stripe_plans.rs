//! Stripe's plan changes in the fake: `POST /v1/subscriptions/{id}` replacing `items[0]`'s price
//! (with `proration_behavior` `create_prorations`, `always_invoice` or `none` and an optional
//! `proration_date`), and `POST /v1/invoices/create_preview` for the same change, answered in the
//! basil shape (`parent.subscription_item_details.proration` on lines).
//!
//! The proration is the fake's own, time-proportional as Stripe documents it: for the remaining
//! time `end - proration_date` of the period `end - start`, a credit of the old price's share and
//! a charge of the new price's share, each rounded to the cent. A price of another interval
//! (monthly <-> yearly) resets the billing cycle as Stripe documents: the unused time is credited
//! (unless `proration_behavior=none`), the new price is charged in full at once (an ordinary line,
//! not a proration) and a new period starts now.

use std::collections::HashMap;

use serde_json::{json, Value};
use wiremock::{Request, ResponseTemplate};

use super::{form, idempotent, missing, stripe_error, State, PRICE_MAX, PRICE_MAX_ANNUAL, PRICE_PRO, PRICE_PRO_ANNUAL};

/// The amount of a price (for its own interval: a month, or a year), in centavos.
pub(super) fn unit_amount(price: &str) -> Option<i64> {
    match price {
        PRICE_PRO => Some(1990),
        PRICE_MAX => Some(9700),
        PRICE_PRO_ANNUAL => Some(19900),
        PRICE_MAX_ANNUAL => Some(97000),
        _ => None,
    }
}

fn invalid(message: &str) -> ResponseTemplate {
    stripe_error(400, "invalid_request_error", Some("parameter_invalid"), message)
}

/// The length of a price's interval in seconds (a fake month is 30 days, a year 365).
pub(super) fn interval(price: &str) -> i64 {
    if price == PRICE_PRO_ANNUAL || price == PRICE_MAX_ANNUAL {
        365 * 86_400
    } else {
        30 * 86_400
    }
}

/// Whether moving `sub`'s item to `price` changes the billing interval.
fn other_interval(sub: &Value, price: &str) -> bool {
    sub["items"]["data"][0]["price"]["id"].as_str().is_some_and(|old| interval(old) != interval(price))
}

/// `amount * part / whole`, rounded half up to the cent.
fn share(amount: i64, part: i64, whole: i64) -> i64 {
    (2 * amount * part + whole) / (2 * whole)
}

/// The lines of moving `sub`'s item to `price` at `at` (unix seconds), each with whether it is a
/// proration: the credit and charge of the time left, or, for another interval, the credit and
/// the new price in full.
fn prorate(sub: &Value, price: &str, at: Option<&String>) -> Result<Vec<(i64, bool)>, Box<ResponseTemplate>> {
    let item = &sub["items"]["data"][0];
    let (start, end) =
        (item["current_period_start"].as_i64().unwrap_or(0), item["current_period_end"].as_i64().unwrap_or(0));
    let at = match at {
        Some(raw) => raw.parse::<i64>().map_err(|_| Box::new(invalid("Invalid integer: proration_date")))?,
        None => time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    if at < start || at > end || end <= start {
        return Err(Box::new(invalid("proration_date must be within the current period")));
    }
    let old = item["price"]["id"].as_str().and_then(unit_amount).unwrap_or(0);
    let new = unit_amount(price).ok_or_else(|| Box::new(invalid(&format!("No such price: '{price}'"))))?;
    let credit = (-share(old, end - at, end - start), true);
    if other_interval(sub, price) {
        return Ok(vec![credit, (new, false)]);
    }
    Ok(vec![credit, (share(new, end - at, end - start), true)])
}

fn invoice(id: String, sub: &Value, lines: &[(i64, bool)]) -> Value {
    let line = |(amount, proration): (i64, bool)| {
        json!({"object": "line_item", "amount": amount, "currency": "brl",
        "parent": {"type": "subscription_item_details", "subscription_item_details": {"proration": proration,
            "subscription": sub["id"], "subscription_item": sub["items"]["data"][0]["id"]}}})
    };
    let total: i64 = lines.iter().map(|l| l.0).sum();
    // A paid invoice of the change (`always_invoice`), or the preview of one (`upcoming_in_…`).
    json!({"id": id, "object": "invoice", "currency": "brl", "customer": sub["customer"],
        "billing_reason": "subscription_update", "status": "paid", "amount_paid": total.max(0),
        "hosted_invoice_url": format!("https://invoice.stripe.com/i/{id}"),
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub["id"]}},
        "amount_due": total.max(0), "subtotal": total, "total": total,
        "lines": {"object": "list", "data": lines.iter().copied().map(line).collect::<Vec<_>>()}})
}

/// Checks `items[0][id]` names the subscription's item and `items[0][price]` a known price.
fn new_price<'a>(
    sub: &Value,
    fields: &'a HashMap<String, String>,
    prefix: &str,
) -> Result<&'a str, Box<ResponseTemplate>> {
    let item = fields.get(&format!("{prefix}[0][id]")).map(String::as_str).unwrap_or_default();
    if item != sub["items"]["data"][0]["id"].as_str().unwrap_or_default() {
        return Err(Box::new(stripe_error(
            400,
            "invalid_request_error",
            Some("resource_missing"),
            "No such subscription item",
        )));
    }
    let price = fields.get(&format!("{prefix}[0][price]")).map(String::as_str).unwrap_or_default();
    unit_amount(price).map(|_| price).ok_or_else(|| Box::new(invalid(&format!("No such price: '{price}'"))))
}

/// Applies `items[0]` of an update to `sub`; an `always_invoice` change records its invoice.
pub(super) fn change_price(state: &mut State, id: &str, fields: &HashMap<String, String>) -> Option<ResponseTemplate> {
    if !fields.keys().any(|k| k.starts_with("items[")) {
        return None;
    }
    let Some(sub) = state.subscriptions.get(id).cloned() else { return Some(missing()) };
    let price = match new_price(&sub, fields, "items") {
        Ok(price) => price.to_owned(),
        Err(refused) => return Some(*refused),
    };
    let behavior = fields.get("proration_behavior").map(String::as_str).unwrap_or("create_prorations");
    if !["create_prorations", "always_invoice", "none"].contains(&behavior) {
        return Some(invalid("Invalid proration_behavior"));
    }
    let reset = other_interval(&sub, &price);
    if behavior != "none" || reset {
        let mut lines = match prorate(&sub, &price, fields.get("proration_date")) {
            Ok(lines) => lines,
            Err(refused) => return Some(*refused),
        };
        if behavior == "none" {
            lines.retain(|l| !l.1);
        }
        // Another interval is invoiced at once whatever the behaviour: the cycle restarts now.
        if behavior == "always_invoice" || reset {
            let id = format!("in_proration_{}", state.invoices.len());
            state.invoices.push(invoice(id, &sub, &lines));
        }
    }
    state.plan_changes.push(fields.clone());
    let stored = state.subscriptions.get_mut(id)?;
    let item = &mut stored["items"]["data"][0];
    item["price"] = json!({"id": price});
    if reset {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        item["current_period_start"] = json!(now);
        item["current_period_end"] = json!(now + interval(&price));
    }
    None
}

/// `POST /v1/invoices/create_preview` with `subscription_details` (never persisted).
pub(super) fn create_preview(state: &mut State, request: &Request) -> ResponseTemplate {
    idempotent(state, request, preview)
}

fn preview(state: &mut State, request: &Request) -> ResponseTemplate {
    let fields = form(request);
    let param = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    for name in ["customer", "subscription", "subscription_details[items][0][id]"] {
        if param(name).is_empty() {
            let message = format!("Missing required param: {name}.");
            return stripe_error(400, "invalid_request_error", Some("parameter_missing"), &message);
        }
    }
    let Some(sub) = state.subscriptions.get(param("subscription")).cloned() else { return missing() };
    if sub["customer"] != param("customer") {
        return invalid("The subscription does not belong to this customer");
    }
    if param("subscription_details[proration_behavior]") == "none" {
        return invalid("proration_behavior=none is not allowed with proration_date");
    }
    let price = match new_price(&sub, &fields, "subscription_details[items]") {
        Ok(price) => price.to_owned(),
        Err(refused) => return *refused,
    };
    match prorate(&sub, &price, fields.get("subscription_details[proration_date]")) {
        Ok(lines) => ResponseTemplate::new(200).set_body_json(invoice(
            format!("upcoming_in_{}", state.invoices.len()),
            &sub,
            &lines,
        )),
        Err(refused) => *refused,
    }
}
