//! The fake's endpoints: one [`Endpoint`] responder per Binance route, all sharing one state,
//! checking the API key, signature and timestamp of signed calls like Binance does.

use std::collections::HashMap;

use domain::market::Timeframe;
use domain::shared::secret::Secret;
use infrastructure::exchanges::binance::signing::sign;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use wiremock::{Request, Respond, ResponseTemplate};

use super::book::{FakeOrder, Refusal};
use super::{now_ms, Shared, API_KEY, API_SECRET};

/// A Binance route the fake serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Time,
    ExchangeInfo,
    Ticker24h,
    TickerPrice,
    Depth,
    Klines,
    NewOrder,
    GetOrder,
    CancelOrder,
    OpenOrders,
    Account,
}

impl Route {
    fn weight(self) -> u64 {
        match self {
            Route::Time | Route::NewOrder | Route::CancelOrder => 1,
            Route::Ticker24h | Route::TickerPrice | Route::Klines => 2,
            Route::GetOrder => 4,
            Route::Depth | Route::OpenOrders => 6,
            Route::ExchangeInfo | Route::Account => 20,
        }
    }

    fn signed(self) -> bool {
        matches!(self, Route::NewOrder | Route::GetOrder | Route::CancelOrder | Route::OpenOrders | Route::Account)
    }
}

/// Answers one route from the shared state.
pub(crate) struct Endpoint {
    pub(crate) state: Shared,
    pub(crate) route: Route,
}

type Params = HashMap<String, String>;
type Answer = Result<Value, Refusal>;

fn refuse(r: Refusal) -> ResponseTemplate {
    ResponseTemplate::new(r.0).set_body_json(json!({ "code": r.1, "msg": r.2 }))
}

fn dec(p: &Params, key: &str) -> Option<Decimal> {
    p.get(key).and_then(|v| v.parse().ok())
}

/// Checks what Binance checks on a signed call, before anything else.
fn authenticate(req: &Request) -> Result<(), Refusal> {
    match req.headers.get("X-MBX-APIKEY").and_then(|v| v.to_str().ok()) {
        Some(API_KEY) => {}
        Some(_) => return Err((401, -2015, "Invalid API-key, IP, or permissions for action.")),
        None => return Err((401, -2014, "API-key format invalid.")),
    }
    let query = req.url.query().unwrap_or("");
    let body = std::str::from_utf8(&req.body).unwrap_or("");
    let (query, body, signature) = match (query.rsplit_once("&signature="), body.rsplit_once("&signature=")) {
        (Some((q, s)), _) => (q, body, s),
        (None, Some((b, s))) => (query, b, s),
        _ => return Err((400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")),
    };
    if sign(&Secret::new(API_SECRET), query, body) != signature {
        return Err((400, -1022, "Signature for this request is not valid."));
    }
    Ok(())
}

fn check_timestamp(p: &Params) -> Result<(), Refusal> {
    let ts: i64 = p.get("timestamp").and_then(|t| t.parse().ok()).ok_or((
        400,
        -1102,
        "Mandatory parameter 'timestamp' was not sent.",
    ))?;
    let window: i64 = p.get("recvWindow").and_then(|w| w.parse().ok()).unwrap_or(5000);
    let now = now_ms();
    if ts >= now + 1000 || now - ts > window {
        return Err((400, -1021, "Timestamp for this request is outside of the recvWindow."));
    }
    Ok(())
}

impl Respond for Endpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if self.state.lock().unwrap_or_else(|e| e.into_inner()).down {
            return ResponseTemplate::new(503);
        }
        let mut params: Params = req.url.query_pairs().into_owned().collect();
        params.extend(url::form_urlencoded::parse(&req.body).into_owned());
        if self.route.signed() {
            if let Err(r) = authenticate(req).and_then(|()| check_timestamp(&params)) {
                return refuse(r);
            }
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.used_weight += self.route.weight();
        let used = state.used_weight;
        let answer = self.answer(&mut state, &params);
        drop(state);
        match answer {
            Ok(body) => ResponseTemplate::new(200).set_body_json(body),
            Err(r) => refuse(r),
        }
        .insert_header("X-MBX-USED-WEIGHT-1M", used.to_string().as_str())
    }
}

impl Endpoint {
    fn answer(&self, state: &mut super::State, p: &Params) -> Answer {
        let now = now_ms();
        if self.route == Route::Time {
            return Ok(json!({ "serverTime": now }));
        }
        if self.route == Route::ExchangeInfo {
            let symbols: Vec<Value> = state.markets.iter().map(|m| m.info()).collect();
            return Ok(json!({ "timezone": "UTC", "serverTime": now, "rateLimits": [], "symbols": symbols }));
        }
        if self.route == Route::Account {
            let omit_zero = p.get("omitZeroBalances").is_some_and(|v| v == "true");
            let balances: Vec<Value> = (state.account.balances.iter())
                .filter(|(_, (free, locked))| !(omit_zero && free.is_zero() && locked.is_zero()))
                .map(|(a, (free, locked))| json!({"asset": a, "free": free.to_string(), "locked": locked.to_string()}))
                .collect();
            return Ok(
                json!({ "canTrade": true, "canWithdraw": state.can_withdraw, "canDeposit": true, "accountType": "SPOT",
                "balances": balances, "permissions": ["SPOT"] }),
            );
        }
        if self.route == Route::OpenOrders && !p.contains_key("symbol") {
            return Ok(state.account.orders.iter().filter(|o| o.is_open()).map(|o| o.to_json(false)).collect());
        }
        let name = p.get("symbol").ok_or((400, -1102, "Mandatory parameter 'symbol' was not sent."))?;
        let market = state.markets.iter().find(|m| m.name == name).cloned().ok_or((400, -1121, "Invalid symbol."))?;
        let limit =
            |default: usize, max: usize| p.get("limit").and_then(|l| l.parse().ok()).unwrap_or(default).min(max);
        match self.route {
            Route::Ticker24h => Ok(market.ticker_24hr(now)),
            Route::TickerPrice => Ok(json!({ "symbol": market.name, "price": market.price.to_string() })),
            Route::Depth => Ok(market.depth(limit(100, 5000))),
            Route::Klines => {
                let interval: Timeframe =
                    (p.get("interval").and_then(|i| i.parse().ok())).ok_or((400, -1120, "Invalid interval."))?;
                let ms = |k: &str| p.get(k).and_then(|v| v.parse::<i64>().ok());
                Ok(market.klines(interval, limit(500, 1000), ms("startTime"), ms("endTime").unwrap_or(now)))
            }
            Route::OpenOrders => Ok((state.account.orders.iter())
                .filter(|o| o.is_open() && o.symbol == market.name)
                .map(|o| o.to_json(false))
                .collect()),
            Route::NewOrder => new_order(state, &market, p, now),
            Route::GetOrder | Route::CancelOrder => {
                let index = (state.account.orders.iter())
                    .position(|o| {
                        o.symbol == market.name
                            && (p.get("orderId").is_some_and(|id| *id == o.id.to_string())
                                || p.get("origClientOrderId").is_some_and(|c| *c == o.client_id))
                    })
                    .ok_or(if self.route == Route::GetOrder {
                        (400, -2013, "Order does not exist.")
                    } else {
                        (400, -2011, "Unknown order sent.")
                    })?;
                if self.route == Route::GetOrder {
                    return Ok(state.account.orders[index].to_json(false));
                }
                let canceled = state.account.cancel(&market, index, now)?;
                let mut v = canceled.to_json(false);
                v["origClientOrderId"] = json!(canceled.client_id);
                v["clientOrderId"] = json!(format!("cancel{}", canceled.id));
                Ok(v)
            }
            Route::Time | Route::ExchangeInfo | Route::Account => unreachable!("answered above"),
        }
    }
}

fn new_order(state: &mut super::State, m: &super::market::FakeMarket, p: &Params, now: i64) -> Answer {
    let buy = match p.get("side").map(String::as_str) {
        Some("BUY") => true,
        Some("SELL") => false,
        _ => return Err((400, -1102, "Mandatory parameter 'side' was not sent.")),
    };
    let (limit, qty, quote) = match p.get("type").map(String::as_str) {
        Some("LIMIT") => {
            if p.get("timeInForce").map(String::as_str) != Some("GTC") {
                return Err((400, -1102, "Mandatory parameter 'timeInForce' was not sent."));
            }
            (
                Some(dec(p, "price").ok_or((400, -1102, "Mandatory parameter 'price' was not sent."))?),
                dec(p, "quantity"),
                None,
            )
        }
        Some("MARKET") => (None, dec(p, "quantity"), dec(p, "quoteOrderQty")),
        _ => return Err((400, -1116, "Invalid orderType.")),
    };
    let checked_qty = match (qty, quote) {
        (Some(q), None) => q,
        (None, Some(a)) if limit.is_none() => {
            if a < m.min_notional {
                return Err((400, -1013, "Filter failure: NOTIONAL"));
            }
            ((a / m.ask()) / m.step).floor() * m.step
        }
        _ => return Err((400, -1102, "Send either quantity or quoteOrderQty.")),
    };
    if let Some(why) = m.filter_failure(checked_qty, limit) {
        return Err((400, -1013, why));
    }
    state.next_order += 1;
    let client_id = p.get("newClientOrderId").cloned().unwrap_or_else(|| format!("auto{}", state.next_order));
    let order = FakeOrder {
        id: state.next_order,
        client_id,
        symbol: m.name,
        buy,
        limit,
        orig_qty: qty.unwrap_or_default(),
        orig_quote: quote.unwrap_or_default(),
        executed: Decimal::ZERO,
        cum_quote: Decimal::ZERO,
        status: "NEW",
        fills: Vec::new(),
        time: now,
        update_time: now,
    };
    Ok(state.account.place(m, order)?.to_json(true))
}
