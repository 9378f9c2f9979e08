//! Extreme numbers through the running server, on both stores: every numeric field of every write
//! endpoint (bots of every kind, created and updated, with their risk rules and breaker; manual
//! orders; paper prices and withdrawals; schedule-sell) receives 0, negatives, 1e-30, 7.9e28,
//! 1e30, 28 decimal places, exponent notation, the empty string and words, as JSON numbers and as
//! strings. No answer is a dropped connection (the client would fail) or a 5xx; a refusal is a
//! 4xx naming the field (422 for a well-formed value out of its bounds), and nothing is stored
//! after one; the server (in this process) never panics. (Checkout, contexts and credentials take
//! no number.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use botfleet_tests::app::{Answer, Session, Store, TestApp};
use botfleet_tests::bots::{bot_app, create_bot, trader};
use domain::subscriptions::Plan;
use reqwest::Method;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    a_bot_stored_with_the_issue_s_figures_still_reads,
    bot_configs_of_every_kind_refuse_extreme_numbers,
    orders_paper_and_sales_refuse_extreme_numbers
);

/// Panics in this process since [`count_panics`]: the server's workers run here, so a panic of a
/// handler is counted even when actix turns it into a dropped connection.
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

fn assert_no_panic() {
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "something panicked while serving (see the log above)");
}

/// Values every numeric field refuses, as JSON text: strings and numbers, sent verbatim (a JSON
/// number with 28 places or beyond an f64 is not what `json!` would send).
const ALWAYS_REFUSED: &[&str] = &[
    r#""-1""#,
    "-1",
    "-0.5",
    r#""7.9e28""#,
    "7.9e28",
    r#""1e30""#,
    "1e30",
    r#""79228162514264337593543950335""#,
    "79228162514264337593543950335",
    r#""0.1234567890123456789012345678""#,
    r#""1.0000000000000000000000000001""#,
    r#""""#,
    r#""abc""#,
    r#""NaN""#,
    "true",
    "{}",
];

/// Values a field may accept: zero is a valid fee or minimum profit, 1e-30 rounds to zero, and a
/// JSON number's 28 places are an f64's 17 by the time serde reads them.
const MAYBE_REFUSED: &[&str] =
    &["0", r#""0""#, r#""1e-30""#, "1e-30", "0.1234567890123456789012345678", r#""1e3""#, "1E3"];

/// Every value to try, with whether it must be refused.
fn values() -> impl Iterator<Item = (&'static str, bool)> {
    ALWAYS_REFUSED.iter().map(|v| (*v, true)).chain(MAYBE_REFUSED.iter().map(|v| (*v, false)))
}

/// The JSON text of `value` with `path` set to the raw JSON `raw`.
fn body(value: &Value, path: &str, raw: &str) -> String {
    const MARK: &str = "__fuzzed__";
    with(value, path, json!(MARK)).to_string().replace(&format!("\"{MARK}\""), raw)
}

/// Sends the JSON text `body` as `user`; the client fails the test if the connection drops.
async fn send(app: &TestApp, method: reqwest::Method, path: &str, user: &Session, body: String) -> Answer {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&user.access)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

/// `value` with `path` (dot-separated, `[i]` for list items) set to `to`.
fn with(value: &Value, path: &str, to: Value) -> Value {
    let mut out = value.clone();
    let mut node = &mut out;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*part, None),
        };
        let last = i == parts.len() - 1 && index.is_none();
        if last {
            node[key] = to;
            return out;
        }
        node = &mut node[key];
        if let Some(index) = index {
            if i == parts.len() - 1 {
                node[index] = to;
                return out;
            }
            node = &mut node[index];
        }
    }
    out
}

/// Asserts `answer` is no server failure and, when `must_refuse`, a 422 naming `field` (a 404 only
/// where the resource is looked up first). Returns whether it was refused.
fn refused(answer: &Answer, field: &str, value: &str, must_refuse: bool) -> bool {
    let context = format!("{field} = {value}: {} {}", answer.status, answer.text);
    assert!(answer.status < 500, "a server failure for {context}");
    if answer.status < 400 {
        assert!(!must_refuse, "accepted {context}");
        return false;
    }
    assert!(answer.status == 422 || !must_refuse || answer.status == 404, "not a 422 for {context}");
    // A value a field may take can still break a rule between fields (a purchase above the
    // capital), which names the other field.
    if answer.status == 422 && must_refuse {
        let errors = answer.body["errors"].as_array().unwrap_or_else(|| panic!("no errors in {context}"));
        let named = errors.iter().filter_map(|e| e["field"].as_str()).any(|f| f == field);
        assert!(named, "{field} not named for {context}");
    }
    true
}

async fn total(app: &TestApp, user: &Session, path: &str) -> u64 {
    app.get(path, Some(&user.access)).await.ok(200)["total"].as_u64().unwrap()
}

/// Each kind's valid configuration and its numeric fields.
fn configs() -> Vec<(&'static str, Value, Vec<&'static str>)> {
    let risk = json!({"take_profit_percent": "5", "stop_loss_soft_percent": "3", "stop_loss_hard_percent": "6",
        "trailing_stop": {"activation_percent": "2", "distance_percent": "1"},
        "adaptive_sell": {"reference_volatility_percent": "2", "min_target_percent": "1", "max_target_percent": "10"},
        "sanity_max_move_percent": "50", "auto_cancel_distance_percent": "5"});
    let breaker = json!({"preset": "custom", "max_consecutive_losses": 3, "max_daily_loss_percent": "10"});
    let smart = json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_entry_price": "500000", "max_open_positions": 2,
        "risk": risk, "circuit_breaker": breaker});
    let candle = json!({"timeframe": "1h", "indicators": [{"indicator": "rsi", "period": 14}],
        "order_amount": "100", "allocated_balance": "1000"});
    let dca = json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100",
        "take_profit_percent": "5", "stop_loss_percent": "5", "max_cycles": 10});
    let channel = json!({"base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
        "allocated_balance": "2000", "sell_fee_percent": "0.1", "max_open_positions": 1});
    vec![
        (
            "smart",
            smart,
            vec![
                "purchase_amount",
                "allocated_balance",
                "max_entry_price",
                "max_open_positions",
                "mode.interval_seconds",
                "risk.take_profit_percent",
                "risk.stop_loss_soft_percent",
                "risk.stop_loss_hard_percent",
                "risk.trailing_stop.activation_percent",
                "risk.trailing_stop.distance_percent",
                "risk.adaptive_sell.reference_volatility_percent",
                "risk.adaptive_sell.min_target_percent",
                "risk.adaptive_sell.max_target_percent",
                "risk.sanity_max_move_percent",
                "risk.auto_cancel_distance_percent",
                "circuit_breaker.max_consecutive_losses",
                "circuit_breaker.max_daily_loss_percent",
            ],
        ),
        ("candle", candle, vec!["order_amount", "allocated_balance", "indicators[0].period"]),
        (
            "dca",
            dca,
            vec!["purchase_amount", "allocated_balance", "take_profit_percent", "stop_loss_percent", "max_cycles"],
        ),
        (
            "channel",
            channel,
            vec![
                "base_price",
                "top_price",
                "buy_threshold_percent",
                "sell_threshold_percent",
                "min_profit_percent",
                "capital_percent",
                "allocated_balance",
                "sell_fee_percent",
                "max_open_positions",
            ],
        ),
    ]
}

async fn bot_configs_of_every_kind_refuse_extreme_numbers(store: Store) {
    count_panics();
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "fuzz@example.com", Plan::Max).await;
    for (kind, base, fields) in configs() {
        let kept = create_bot(&app, &user, &ctx, kind, base.clone()).await;
        let kept_id = kept["id"].as_str().unwrap().to_owned();
        let bots = total(&app, &user, "/api/bots").await;
        for field in fields {
            for (value, must) in values() {
                let named = format!("config.{field}");
                let new = json!({"context_id": ctx, "kind": kind, "name": "fuzz", "config": base});
                let created = send(&app, Method::POST, "/api/bots", &user, body(&new, &named, value)).await;
                if refused(&created, &named, value, must) {
                    assert_eq!(total(&app, &user, "/api/bots").await, bots, "a refused bot was stored: {named}");
                } else {
                    let id = created.body["id"].as_str().unwrap();
                    app.delete(&format!("/api/bots/{id}"), Some(&user.access), None).await.ok(204);
                }
                let change = body(&json!({"config": base}), &named, value);
                let update = send(&app, Method::PUT, &format!("/api/bots/{kept_id}"), &user, change).await;
                if refused(&update, &named, value, must) {
                    let now = app.get(&format!("/api/bots/{kept_id}"), Some(&user.access)).await;
                    assert_eq!(now.ok(200)["config"], kept["config"], "a refused update was stored: {named}");
                } else {
                    let restore = json!({"config": base});
                    app.put(&format!("/api/bots/{kept_id}"), Some(&user.access), &restore).await.ok(200);
                }
            }
        }
    }
    assert_no_panic();
}

/// A bot stored before the bounds existed, with the figures of the issue (the breaker's daily
/// limit overflowed when shown), reads alone and in its owner's list, and refuses an update that
/// keeps them.
async fn a_bot_stored_with_the_issue_s_figures_still_reads(store: Store) {
    count_panics();
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "fuzz@example.com", Plan::Free).await;
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let created = create_bot(&app, &user, &ctx, "smart", config).await;
    let id = created["id"].as_str().unwrap();
    let mut stored = repos.bots.get(user.user_id.parse().unwrap(), id.parse().unwrap()).await.unwrap();
    let huge = json!({"mode": {"type": "manual"}, "purchase_amount": "79228162514264337593543950",
        "allocated_balance": "79228162514264337593543950335"});
    stored.config = serde_json::from_value(json!({"kind": "smart", "config": huge})).unwrap();
    stored.funds = domain::bots::Funds::new(stored.config.allocated_balance());
    repos.bots.update(&stored).await.unwrap();

    let read = app.get(&format!("/api/bots/{id}"), Some(&user.access)).await;
    assert_eq!(read.ok(200)["funds"]["allocated"], "79228162514264337593543950335");
    app.get("/api/bots", Some(&user.access)).await.ok(200);
    app.get(&format!("/api/bots/{id}/circuit-breaker"), Some(&user.access)).await.ok(200);
    let again = app.put(&format!("/api/bots/{id}"), Some(&user.access), &json!({"config": huge})).await;
    assert_eq!(again.problem(422, "validation_failed")["errors"][0]["field"], "config.allocated_balance");
    assert_no_panic();
}

async fn orders_paper_and_sales_refuse_extreme_numbers(store: Store) {
    count_panics();
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "fuzz@example.com", Plan::Max).await;
    let limit = json!({"context_id": ctx, "side": "buy", "type": "limit", "quantity": "0.001", "price": "300000"});
    let market = json!({"context_id": ctx, "side": "buy", "type": "market", "quote_amount": "100"});
    let price = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "price": "350000"});
    let withdrawal = json!({"exchange": "mercado_bitcoin", "asset": "BRL", "amount": "1"});
    let channel = json!({"base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
        "allocated_balance": "2000"});
    let bot = create_bot(&app, &user, &ctx, "channel", channel).await;
    let sale = format!("/api/bots/{}/positions/01ARZ3NDEKTSV4RRFFQ69G5FAV/schedule-sell", bot["id"].as_str().unwrap());
    let profit = json!({"min_profit_percent": "1"});
    let cases: Vec<(&str, &Value, &str)> = vec![
        ("/api/orders", &limit, "quantity"),
        ("/api/orders", &limit, "price"),
        ("/api/orders", &market, "quote_amount"),
        ("/api/paper/prices", &price, "price"),
        ("/api/paper/withdrawals", &withdrawal, "amount"),
        (sale.as_str(), &profit, "min_profit_percent"),
    ];
    for (path, base, field) in cases {
        for (value, must) in values() {
            let orders = total(&app, &user, "/api/orders").await;
            let answer = send(&app, Method::POST, path, &user, body(base, field, value)).await;
            if refused(&answer, field, value, must) {
                assert_eq!(total(&app, &user, "/api/orders").await, orders, "a refused order was stored: {field}");
            }
        }
    }
    // The server still serves after all of it.
    let order = app.post("/api/orders", Some(&user.access), &market).await;
    assert!(order.status < 500, "the market still trades: {}", order.text);
    assert_no_panic();
}
