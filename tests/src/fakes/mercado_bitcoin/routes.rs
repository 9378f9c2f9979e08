//! The fake's endpoints: one [`Respond`] per route, all sharing the exchange's [`State`].

use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use serde_json::{json, Value};
use wiremock::{Request, Respond, ResponseTemplate};

use super::state::State;
use super::{ACCOUNT_ID, API_KEY, API_SECRET, MIN_COST, MIN_VOLUME, SYMBOL};

/// Which endpoint a responder serves.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    Authorize,
    Accounts,
    Symbols,
    Tickers,
    OrderBook,
    Candles,
    Balances,
    PlaceOrder,
    ListOrders,
    GetOrder,
    CancelOrder,
    AllOrders,
}

/// A route bound to the shared state.
#[derive(Debug)]
pub struct Handler {
    pub route: Route,
    pub state: Arc<Mutex<State>>,
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn domain_error(code: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({"code": code, "message": "fake Mercado Bitcoin refused it"}))
}

fn query(req: &Request, key: &str) -> Option<String> {
    req.url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn segments(req: &Request) -> Vec<String> {
    req.url.path_segments().map(|s| s.map(str::to_owned).collect()).unwrap_or_default()
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        if let Route::Authorize = self.route {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            if body["login"] != API_KEY || body["password"] != API_SECRET {
                return ResponseTemplate::new(403)
                    .set_body_json(json!({"code": "API|FORBIDDEN", "message": "Invalid login or password"}));
            }
            let token = ulid::Ulid::new().to_string();
            state.tokens.insert(token.clone());
            let expiration = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
            return ok(json!({"access_token": token, "expiration": expiration}));
        }
        let private = !matches!(self.route, Route::Symbols | Route::Tickers | Route::OrderBook | Route::Candles);
        if private {
            let bearer = req.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !bearer.strip_prefix("Bearer ").is_some_and(|t| state.tokens.contains(t)) {
                return ResponseTemplate::new(401).set_body_json(
                    json!({"error": {"code": 401, "status": "Unauthorized", "reason": "token", "message": "invalid token"}}),
                );
            }
            let seg = segments(req);
            if seg.len() > 3 && seg[2] == "accounts" && seg[3] != ACCOUNT_ID {
                return domain_error("TRADING|ACCOUNT|INVALID_ACCOUNT");
            }
        }
        match self.route {
            Route::Authorize => unreachable!("answered above"),
            Route::Accounts => {
                ok(json!([{"id": ACCOUNT_ID, "name": "Fake", "type": "live", "currency": "BRL", "currencySign": "R$"}]))
            }
            Route::Symbols => ok(json!({
                "symbol": [SYMBOL], "base-currency": ["BTC"], "currency": ["BRL"], "exchange-traded": [true],
                "minmovement": ["1"], "pricescale": [100], "min-volume": [MIN_VOLUME], "max-volume": ["100"],
                "min-cost": [MIN_COST], "max-cost": ["10000000"],
            })),
            Route::Tickers => tickers(&state, &query(req, "symbols").unwrap_or_default()),
            Route::OrderBook => order_book(&state, &segments(req)[2], query(req, "limit")),
            Route::Candles => candles(&state, req),
            Route::Balances => ok(Value::Array(
                state
                    .balances
                    .iter()
                    .map(|(asset, (free, held))| {
                        json!({"symbol": asset, "available": free.to_string(), "on_hold": held.to_string(),
                               "total": (free + held).to_string()})
                    })
                    .collect(),
            )),
            Route::PlaceOrder => super::orders::place(&mut state, &segments(req)[4], &req.body),
            Route::ListOrders => {
                let symbol = &segments(req)[4];
                let list = state.orders.iter().rev().filter(|o| &o.symbol == symbol).map(|o| o.to_json(false));
                ok(Value::Array(list.collect()))
            }
            Route::GetOrder => match state.orders.iter().find(|o| o.id == segments(req)[6]) {
                Some(o) => ok(o.to_json(false)),
                None => domain_error("TRADING|GET_ORDER|ORDER_NOT_FOUND"),
            },
            Route::CancelOrder => super::orders::cancel(&mut state, &segments(req)[6]),
            Route::AllOrders => {
                let statuses = query(req, "status").unwrap_or_default();
                let symbol = query(req, "symbol");
                let items = state
                    .orders
                    .iter()
                    .rev()
                    .filter(|o| statuses.is_empty() || statuses.split(',').any(|s| s == o.status))
                    .filter(|o| symbol.as_ref().is_none_or(|s| s == &o.symbol))
                    .map(|o| o.to_json(true));
                ok(json!({"items": items.collect::<Vec<_>>()}))
            }
        }
    }
}

fn tickers(state: &State, symbols: &str) -> ResponseTemplate {
    let mut out = Vec::new();
    for symbol in symbols.split(',') {
        let Some((last, bid, ask)) = state.quote(symbol) else {
            return domain_error("PUBLIC|LIST_TICKERS|INVALID_SYMBOL");
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        out.push(json!({"pair": symbol, "last": last.to_string(), "buy": bid.to_string(), "sell": ask.to_string(),
                        "high": ask.to_string(), "low": bid.to_string(), "open": last.to_string(),
                        "vol": "12.5", "date": now}));
    }
    ok(Value::Array(out))
}

fn order_book(state: &State, symbol: &str, limit: Option<String>) -> ResponseTemplate {
    let Some((_, bid, ask)) = state.quote(symbol) else {
        return domain_error("PUBLIC|ORDERBOOK|INVALID_SYMBOL");
    };
    let depth = limit.and_then(|l| l.parse::<i64>().ok()).unwrap_or(20).clamp(1, 20);
    let level = |p: Decimal| json!([p.to_string(), "0.5"]);
    // Bids are listed worst first, to check that the adapter sorts them.
    let bids: Vec<Value> = (0..depth).rev().map(|i| level(bid - Decimal::from(i))).collect();
    let asks: Vec<Value> = (0..depth).map(|i| level(ask + Decimal::from(i))).collect();
    ok(json!({"bids": bids, "asks": asks, "timestamp": time::OffsetDateTime::now_utc().unix_timestamp()}))
}

/// The last `count` loaded candles opening at or before `to` (`countback` overrides `from`, as
/// the API documents), as column arrays.
fn loaded(series: &[domain::market::Candle], to: i64, count: i64) -> ResponseTemplate {
    let upto: Vec<_> = series.iter().filter(|c| c.open_time.unix_timestamp() <= to).collect();
    let rows = &upto[upto.len().saturating_sub(count as usize)..];
    let column = |f: fn(&domain::market::Candle) -> Decimal| rows.iter().map(|c| f(c).to_string()).collect::<Vec<_>>();
    ok(json!({
        "t": rows.iter().map(|c| c.open_time.unix_timestamp()).collect::<Vec<_>>(),
        "o": column(|c| c.open), "h": column(|c| c.high), "l": column(|c| c.low),
        "c": column(|c| c.close), "v": column(|c| c.volume),
    }))
}

fn candles(state: &State, req: &Request) -> ResponseTemplate {
    let symbol = query(req, "symbol").unwrap_or_default();
    let Some((price, _, _)) = state.quote(&symbol) else {
        return domain_error("PUBLIC|CANDLES|INVALID_SYMBOL");
    };
    let step: i64 = match query(req, "resolution").as_deref() {
        Some("1m") => 60,
        Some("15m") => 900,
        Some("1h") => 3_600,
        Some("3h") => 10_800,
        Some("1d") => 86_400,
        Some("1w") => 604_800,
        Some("1M") => 2_592_000,
        _ => return domain_error("PUBLIC|CANDLES|INVALID_PARAMETER"),
    };
    let Some(to) = query(req, "to").and_then(|t| t.parse::<i64>().ok()) else {
        return domain_error("PUBLIC|CANDLES|INVALID_PARAMETER");
    };
    let count = query(req, "countback").and_then(|c| c.parse::<i64>().ok()).unwrap_or(10).clamp(1, 1000);
    if let Some(series) = query(req, "resolution").and_then(|r| state.series.get(&r)) {
        return loaded(series, to, count);
    }
    let last = to - to.rem_euclid(step);
    let (mut t, mut o, mut h, mut l, mut c, mut v) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..count {
        let open = price + Decimal::from(i % 7);
        let close = price + Decimal::from((i + 3) % 7);
        t.push(last - (count - 1 - i) * step);
        o.push(open.to_string());
        c.push(close.to_string());
        h.push((open.max(close) + Decimal::from(5)).to_string());
        l.push((open.min(close) - Decimal::from(5)).to_string());
        v.push("1.25".to_owned());
    }
    ok(json!({"t": t, "o": o, "h": h, "l": l, "c": c, "v": v}))
}
