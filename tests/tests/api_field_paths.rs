//! Every refusal names the exact field, at any depth, tagged enums included: a valid example of
//! each bot kind (and of each variant of its modes, schedules, breakers and indicators) is walked
//! recursively, and each leaf in turn receives a value of the wrong type, a word, and, for
//! numbers, values below and above its bounds. Through the running server, creating a bot with
//! it and replacing a bot's config with it must answer a 4xx problem whose first error names that
//! leaf's path (`config.mode.interval_seconds`, `config.indicators[1].period`,
//! `config.circuit_breaker.max_daily_loss_percent`, `config.mode.type` for a bad tag), and nothing
//! may be stored. The whole walk runs on the embedded store; a few cases also run on MongoDB.

use botfleet_tests::app::{Answer, Session, Store, TestApp};
use botfleet_tests::bots::{bot_app, create_bot, trader};
use domain::subscriptions::Plan;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(a_few_paths_inside_tagged_enums_are_named);

/// Valid configurations: every kind, every variant of every tagged enum, every optional object.
fn examples() -> Vec<(&'static str, Value)> {
    let risk = json!({"take_profit_percent": "5", "stop_loss_soft_percent": "3", "stop_loss_hard_percent": "6",
        "trailing_stop": {"activation_percent": "2", "distance_percent": "1"},
        "adaptive_sell": {"reference_volatility_percent": "2", "min_target_percent": "1", "max_target_percent": "10"},
        "sanity_max_move_percent": "50", "auto_cancel_distance_percent": "5"});
    let custom = json!({"preset": "custom", "max_consecutive_losses": 3, "max_daily_loss_percent": "10"});
    let indicators = json!([
        {"indicator": "rsi", "period": 14, "oversold": "30", "overbought": "70"},
        {"indicator": "sma_cross", "fast": 9, "slow": 21},
        {"indicator": "ema_cross", "fast": 9, "slow": 21},
        {"indicator": "bollinger", "period": 20, "std_dev": "2"},
        {"indicator": "volume", "period": 20, "spike_ratio": "1.5"},
        {"indicator": "volatility", "period": 20, "max_percent": "5"},
        {"indicator": "vwap", "period": 24},
        {"indicator": "mfi", "period": 14, "oversold": "20", "overbought": "80"},
        {"indicator": "volume_profile", "period": 50, "bins": 24},
        {"indicator": "atr", "period": 14, "stop_multiplier": "2", "max_percent": "5"},
        {"indicator": "obv", "period": 20},
    ]);
    vec![
        (
            "smart",
            json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
            "allocated_balance": "1000", "max_entry_price": "500000", "max_open_positions": 2, "order_type": "limit",
            "risk": risk, "circuit_breaker": custom}),
        ),
        (
            "smart",
            json!({"mode": {"type": "scheduled", "cron": "0 9 * * 1-5", "time_zone": "America/Sao_Paulo"},
            "purchase_amount": "100", "allocated_balance": "1000", "circuit_breaker": {"preset": "conservative"}}),
        ),
        ("smart", json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"})),
        (
            "candle",
            json!({"timeframe": "1h", "indicators": indicators, "auto_execute": true,
            "min_confidence": "HIGH", "order_amount": "100", "allocated_balance": "1000", "sell_on_signal": false,
            "risk": {"take_profit_percent": "5", "stop_loss_hard_percent": "6"},
            "circuit_breaker": {"preset": "aggressive"}}),
        ),
        (
            "dca",
            json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100",
            "take_profit_percent": "5", "stop_loss_percent": "5", "max_cycles": 10, "auto_restart": true,
            "risk": {"trailing_stop": {"activation_percent": "2", "distance_percent": "1"},
                "sanity_max_move_percent": "50"},
            "circuit_breaker": custom}),
        ),
        (
            "channel",
            json!({"base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
            "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
            "allocated_balance": "2000", "sell_fee_percent": "0.1", "max_open_positions": 1,
            "risk": {"sanity_max_move_percent": "50", "auto_cancel_distance_percent": "5"},
            "circuit_breaker": {"preset": "moderate"}}),
        ),
    ]
}

/// Every leaf of `value` with its path (`mode.interval_seconds`, `indicators[1].period`).
fn leaves(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                leaves(item, path, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, format!("{path}[{i}]"), out);
            }
        }
        leaf => out.push((path, leaf.clone())),
    }
}

/// `value` with the leaf at `path` replaced by `to`.
fn replaced(value: &Value, path: &str, to: &Value) -> Value {
    let pointer: String =
        path.split('.').flat_map(|part| part.split('[')).map(|p| format!("/{}", p.trim_end_matches(']'))).collect();
    let mut out = value.clone();
    *out.pointer_mut(&pointer).unwrap_or_else(|| panic!("no {pointer} in {value}")) = to.clone();
    out
}

/// The numbers with no upper bound (docs/signals.md: a volume spike is any ratio of at least 1).
const NO_UPPER_BOUND: &[&str] = &["spike_ratio"];

/// The bad values the leaf at `path` receives: another type, a word, and out-of-bounds numbers
/// (below every lower bound; above every upper bound, for the fields that have one).
fn bad_values(path: &str, leaf: &Value) -> Vec<Value> {
    let mut bad = vec![if leaf.is_boolean() { json!(7) } else { json!(true) }];
    let bounded_above = !NO_UPPER_BOUND.iter().any(|name| path.ends_with(&format!(".{name}")));
    match leaf {
        Value::Number(_) => bad.extend([json!(-3), json!(4_000_000_000u64)]),
        Value::String(s) if s.parse::<f64>().is_ok() => {
            bad.push(json!("-1"));
            bad.extend(bounded_above.then(|| json!("100000000000000000000")));
        }
        Value::String(_) => bad.push(json!("nope?")),
        _ => {}
    }
    bad
}

/// Asserts `answer` is a 4xx problem whose first error names `field`.
fn names(answer: &Answer, field: &str, what: &str) {
    let context = format!("{what}: {} {}", answer.status, answer.text);
    assert!((400..500).contains(&answer.status), "not a 4xx for {context}");
    let content_type = answer.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(content_type, "application/problem+json", "{context}");
    assert_eq!(answer.body["errors"][0]["field"], field, "{context}");
}

async fn total(app: &TestApp, user: &Session) -> u64 {
    app.get("/api/bots", Some(&user.access)).await.ok(200)["total"].as_u64().unwrap()
}

/// `value` with the keys of every object in the reverse order (the server reads them in the order
/// sent: a tag sent after the fields must not lose the path either).
fn reversed(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().rev().map(|(k, v)| (k.clone(), reversed(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        leaf => leaf.clone(),
    }
}

/// Where bad configurations are sent: a user's context, and a kept bot of the kind to update.
struct Target<'a> {
    app: &'a TestApp,
    user: &'a Session,
    ctx: &'a str,
    kind: &'a str,
    kept: Value,
}

impl Target<'_> {
    /// Creates a bot with `bad` in place of the leaf at `leaf` and replaces the kept bot's config
    /// with it, keys in the example's order and reversed: each refused naming `config.<leaf>`,
    /// nothing stored.
    async fn refuses(&self, leaf: &str, bad: Value) {
        let config = replaced(&self.kept["config"], leaf, &bad);
        assert_ne!(reversed(&config).to_string(), config.to_string(), "JSON objects keep their order here");
        self.refuses_config(leaf, &config, &bad.to_string()).await;
        self.refuses_config(leaf, &reversed(&config), &format!("{bad} (keys reversed)")).await;
    }

    async fn refuses_config(&self, leaf: &str, config: &Value, bad: &str) {
        let (app, token) = (self.app, Some(self.user.access.as_str()));
        let field = format!("config.{leaf}");
        let what = format!("{} {field} = {bad}", self.kind);
        let before = total(app, self.user).await;
        let new = json!({"context_id": self.ctx, "kind": self.kind, "name": "paths", "config": config});
        names(&app.post("/api/bots", token, &new).await, &field, &what);
        assert_eq!(total(app, self.user).await, before, "a refused bot was stored: {what}");
        let path = format!("/api/bots/{}", self.kept["id"].as_str().unwrap());
        names(&app.put(&path, token, &json!({"config": config})).await, &field, &format!("update {what}"));
        let now = app.get(&path, token).await;
        assert_eq!(now.ok(200)["config"], self.kept["config"], "a refused update was stored: {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_leaf_of_every_kind_is_named_when_bad() {
    let (app, repos) = bot_app(Store::Embedded, &[]).await;
    let (user, _) = trader(&app, &repos, "paths@example.com", Plan::Max).await;
    // Advanced indicators need a Binance context.
    let body = json!({"exchange": "binance", "symbol": "BTC-USDT", "mode": "paper"});
    let ctx = app.post("/api/contexts", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let mut cases = 0;
    for (kind, example) in examples() {
        let kept = create_bot(&app, &user, &ctx, kind, example.clone()).await;
        let target = Target { app: &app, user: &user, ctx: &ctx, kind, kept };
        let mut found = Vec::new();
        leaves(&example, String::new(), &mut found);
        for (leaf, value) in found {
            for bad in bad_values(&leaf, &value) {
                target.refuses(&leaf, bad).await;
                cases += 1;
            }
        }
    }
    assert!(cases > 200, "the walk covered only {cases} cases");
    // The request's own fields are named too.
    let new = json!({"context_id": ctx, "kind": "dca", "name": "paths", "config": examples()[4].1});
    let mut found = Vec::new();
    leaves(&json!({"context_id": ctx, "kind": "dca", "name": "paths"}), String::new(), &mut found);
    for (field, _) in found {
        let answer = app.post("/api/bots", Some(&user.access), &replaced(&new, &field, &json!(true))).await;
        names(&answer, &field, &format!("{field} = true"));
    }
}

/// The cases of the issue, on both stores; an unknown tag's message lists the allowed ones.
async fn a_few_paths_inside_tagged_enums_are_named(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "few-paths@example.com", Plan::Max).await;
    let kept = create_bot(&app, &user, &ctx, "smart", examples()[0].1.clone()).await;
    let smart = Target { app: &app, user: &user, ctx: &ctx, kind: "smart", kept };
    smart.refuses("mode.interval_seconds", json!(-5)).await;
    smart.refuses("mode.type", json!("sometimes")).await;
    smart.refuses("circuit_breaker.max_daily_loss_percent", json!(true)).await;
    let config = replaced(&smart.kept["config"], "mode.type", &json!("sometimes"));
    let body = json!({"context_id": ctx, "kind": "smart", "name": "paths", "config": config});
    let answer = app.post("/api/bots", Some(&user.access), &body).await;
    let message = answer.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("`continuous`, `scheduled`, `manual`"), "the allowed tags are listed: {}", answer.text);
    let candle = json!({"timeframe": "1h", "order_amount": "100", "allocated_balance": "1000",
        "indicators": [{"indicator": "rsi"}, {"indicator": "bollinger", "period": 20}]});
    let kept = create_bot(&app, &user, &ctx, "candle", candle).await;
    let candle = Target { app: &app, user: &user, ctx: &ctx, kind: "candle", kept };
    candle.refuses("indicators[1].period", json!(-3)).await;
}
