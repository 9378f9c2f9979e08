//! The fake's order handling: validation as Mercado Bitcoin documents it, resting or immediate
//! fills against the current price, cancel.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use wiremock::ResponseTemplate;

use super::state::State;
use super::{MIN_COST, MIN_VOLUME};

fn refuse(code: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({"code": format!("TRADING|PLACE_ORDER|{code}"), "message": code}))
}

fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => Decimal::from_str(s).ok(),
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        _ => None,
    }
}

/// `POST /accounts/{id}/{symbol}/orders`.
pub fn place(state: &mut State, symbol: &str, raw: &[u8]) -> ResponseTemplate {
    let Ok(body) = serde_json::from_slice::<Value>(raw) else { return refuse("INVALID_PARAMETER") };
    let Some((_, bid, ask)) = state.quote(symbol) else { return refuse("INVALID_SYMBOL") };
    let external = body["externalId"].as_str();
    if external.is_some_and(|e| state.orders.iter().any(|o| o.external_id.as_deref() == Some(e))) {
        return refuse("ORDER_DUPLICATE");
    }
    let side = body["side"].as_str().unwrap_or_default();
    let kind = body["type"].as_str().unwrap_or_default();
    if !matches!(side, "buy" | "sell") || !matches!(kind, "market" | "limit") {
        return refuse("INVALID_PARAMETER");
    }
    let limit = decimal(&body["limitPrice"]);
    let cost = decimal(&body["cost"]);
    let (qty, cost) = match (decimal(&body["qty"]), cost) {
        (Some(q), None) => (q, None),
        (None, Some(c)) if kind == "market" && side == "buy" => ((c / ask).round_dp(8), Some(c)),
        _ => return refuse("INVALID_PARAMETER"),
    };
    if qty.scale() > 8 {
        return refuse("INVALID_DECIMAL_PLACES");
    }
    if qty < Decimal::from_str(MIN_VOLUME).expect("constant") {
        return refuse("INVALID_MIN_QUANTITY");
    }
    let price = match (kind, limit) {
        ("limit", Some(p)) if p > Decimal::ZERO => p,
        ("limit", _) => return refuse("INVALID_PARAMETER"),
        _ if side == "buy" => ask,
        _ => bid,
    };
    if qty * price < Decimal::from_str(MIN_COST).expect("constant") {
        return refuse("INVALID_MIN_COST");
    }
    let mut order = State::new_order(symbol, &body, qty, (kind == "limit").then_some(price));
    order.cost = cost;
    let crosses = kind == "market" || (side == "buy" && price >= ask) || (side == "sell" && price <= bid);
    if crosses {
        let at = if kind == "market" {
            price
        } else if side == "buy" {
            ask
        } else {
            bid
        };
        if !state.fill(&mut order, at) {
            return refuse("INSUFFICIENT_BALANCE");
        }
    } else if !state.hold(&order) {
        return refuse("INSUFFICIENT_BALANCE");
    }
    let id = order.id.clone();
    state.orders.push(order);
    ResponseTemplate::new(200).set_body_json(json!({"orderId": id}))
}

/// `DELETE /accounts/{id}/{symbol}/orders/{orderId}`.
pub fn cancel(state: &mut State, id: &str) -> ResponseTemplate {
    let Some(i) = state.orders.iter().position(|o| o.id == id) else {
        return ResponseTemplate::new(400)
            .set_body_json(json!({"code": "TRADING|CANCEL_ORDER|ORDER_NOT_FOUND", "message": "not found"}));
    };
    if state.orders[i].status != "working" {
        return ResponseTemplate::new(400)
            .set_body_json(json!({"code": "TRADING|CANCEL_ORDER|ORDER_PROCESSED", "message": "processed"}));
    }
    let order = state.orders[i].clone();
    state.release(&order);
    state.orders[i].status = "cancelled".into();
    state.orders[i].updated_at = time::OffsetDateTime::now_utc().unix_timestamp();
    ResponseTemplate::new(200).set_body_json(json!({"status": "cancelled"}))
}
