//! Bots through the running server on both stores: configuration validation, plan entitlements,
//! the life cycle and its refusals, and each kind driven through a scripted price path on the
//! paper exchange, its workflows run one cycle at a time.

use botfleet_tests::app::Store;
use botfleet_tests::bots::{
    assert_books_balance, bot, bot_app, command, create_bot, dec, price, run, set_plan, trader,
};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    configs_are_validated_field_by_field_and_plans_decide_the_kinds,
    the_life_cycle_and_its_refusals,
    start_refuses_more_than_the_free_balance,
    a_live_bot_needs_a_valid_credential,
    dca_accumulates_then_takes_profit,
    smart_bot_soft_stop_hard_stop_and_emergency_sell,
    smart_bot_trailing_stop_sells_on_the_turn,
    the_circuit_breaker_trips_and_only_a_reset_resumes,
    channel_sells_only_above_its_floor,
    candle_bot_acts_on_its_signal,
);

/// Waits out the SmartBots' one-second cycle, so the next purchase run is due.
async fn next_cycle() {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

fn smart(extra: Value) -> Value {
    let mut c = json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1});
    c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    c
}

async fn configs_are_validated_field_by_field_and_plans_decide_the_kinds(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let send = |kind: &str, config: Value| json!({"context_id": ctx, "kind": kind, "name": "x", "config": config});

    let bad = app
        .post(
            "/api/bots",
            Some(&ana.access),
            &send(
                "smart",
                json!({"mode": {"type": "continuous", "interval_seconds": 0},
        "purchase_amount": "-5", "allocated_balance": "100", "risk": {"stop_loss_hard_percent": "150"}}),
            ),
        )
        .await;
    let problem = bad.problem(422, "validation_failed");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["config.purchase_amount", "config.mode.interval_seconds", "config.risk.stop_loss_hard_percent"] {
        assert!(fields.contains(&f), "{f} not named in {fields:?}");
    }
    let typo = app
        .post(
            "/api/bots",
            Some(&ana.access),
            &send(
                "smart",
                json!({"mode": {"type": "manual"}, "purchase_amount": "5",
        "allocated_balance": "100", "purchase_amout": "1"}),
            ),
        )
        .await;
    assert_eq!(typo.problem(422, "validation_failed")["errors"][0]["field"], "config.purchase_amout");
    let kind = app.post("/api/bots", Some(&ana.access), &send("grid", json!({}))).await;
    assert_eq!(kind.problem(422, "validation_failed")["errors"][0]["field"], "kind");

    // FREE allows SmartBots only.
    let dca =
        json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100", "take_profit_percent": "5"});
    let refused = app.post("/api/bots", Some(&ana.access), &send("dca", dca.clone())).await;
    assert_eq!(refused.problem(402, "plan_bot_kind")["upgrade_to"], "PRO");
    create_bot(&app, &ana, &ctx, "smart", smart(json!({}))).await;

    // Advanced indicators need MAX and a Binance context.
    set_plan(&repos, &ana, Plan::Pro).await;
    let candle = |indicator: &str| {
        json!({"timeframe": "1h", "indicators": [{"indicator": "rsi"}, {"indicator": indicator}],
        "order_amount": "10", "allocated_balance": "100"})
    };
    let advanced = app.post("/api/bots", Some(&ana.access), &send("candle", candle("obv"))).await;
    assert_eq!(advanced.problem(402, "plan_advanced_indicators")["upgrade_to"], "MAX");
    set_plan(&repos, &ana, Plan::Max).await;
    let on_mb = app.post("/api/bots", Some(&ana.access), &send("candle", candle("obv"))).await;
    assert_eq!(on_mb.problem(422, "validation_failed")["errors"][0]["field"], "config.indicators[1]");
    create_bot(&app, &ana, &ctx, "candle", candle("sma_cross")).await;
    create_bot(&app, &ana, &ctx, "dca", dca).await;

    let list = app.get(&format!("/api/bots?context_id={ctx}&kind=dca"), Some(&ana.access)).await;
    assert_eq!(list.ok(200)["total"], 1);
    let all = app.get("/api/bots?limit=2", Some(&ana.access)).await;
    assert_eq!((all.ok(200)["total"].as_u64(), all.ok(200)["items"].as_array().unwrap().len()), (Some(3), 2));
    app.get("/api/bots?status=sleeping", Some(&ana.access)).await.problem(422, "validation_failed");
    // A blank filter is refused as on the orders, not read as absent.
    for parameter in ["context_id", "kind", "status"] {
        let blank = app.get(&format!("/api/bots?{parameter}=%20"), Some(&ana.access)).await;
        assert_eq!(blank.problem(400, "invalid_query")["errors"][0]["field"], parameter);
    }
}

async fn the_life_cycle_and_its_refusals(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let created = create_bot(&app, &ana, &ctx, "smart", smart(json!({}))).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["status"], "created");
    assert_eq!(created["circuit_breaker"]["limits"]["max_consecutive_losses"], 5);
    let path = format!("/api/bots/{id}");

    app.post(&format!("{path}/pause"), Some(&ana.access), &json!({})).await.problem(409, "invalid_bot_status");
    assert_eq!(command(&app, &ana, id, "start").await["status"], "running");
    let update = app.put(&path, Some(&ana.access), &json!({"config": smart(json!({"purchase_amount": "50"}))})).await;
    update.problem(409, "bot_running");
    app.delete(&path, Some(&ana.access), None).await.problem(409, "bot_running");
    assert_eq!(command(&app, &ana, id, "pause").await["status"], "paused");
    let renamed = app
        .put(&path, Some(&ana.access), &json!({"name": "weekly", "config": smart(json!({"purchase_amount": "50"}))}))
        .await;
    assert_eq!(renamed.ok(200)["config"]["purchase_amount"], "50");
    assert_eq!(command(&app, &ana, id, "resume").await["status"], "running");
    let stopped = command(&app, &ana, id, "stop").await;
    assert_eq!(stopped["status"], "stopped");
    let history: Vec<&str> = stopped["history"].as_array().unwrap().iter().map(|h| h["to"].as_str().unwrap()).collect();
    assert_eq!(history, vec!["running", "paused", "running", "stopped"]);

    let bia = app.user("bia@example.com").await;
    app.get(&path, Some(&bia.access)).await.problem(404, "not_found");
    app.post(&format!("{path}/start"), Some(&bia.access), &json!({})).await.problem(404, "not_found");
    app.delete(&path, Some(&ana.access), None).await.ok(204);
    app.get(&path, Some(&ana.access)).await.problem(404, "not_found");
}

async fn start_refuses_more_than_the_free_balance(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    // The paper account starts with 100000 BRL.
    let big = create_bot(&app, &ana, &ctx, "smart", smart(json!({"allocated_balance": "150000"}))).await;
    let id = big["id"].as_str().unwrap();
    let refused = app.post(&format!("/api/bots/{id}/start"), Some(&ana.access), &json!({})).await;
    assert!(refused.problem(409, "insufficient_balance")["detail"].as_str().unwrap().contains("150000"));
    let a = create_bot(&app, &ana, &ctx, "smart", smart(json!({"allocated_balance": "60000"}))).await;
    command(&app, &ana, a["id"].as_str().unwrap(), "start").await;
    let b = create_bot(&app, &ana, &ctx, "smart", smart(json!({"allocated_balance": "60000"}))).await;
    let second =
        app.post(&format!("/api/bots/{}/start", b["id"].as_str().unwrap()), Some(&ana.access), &json!({})).await;
    second.problem(409, "insufficient_balance");
}

async fn a_live_bot_needs_a_valid_credential(store: Store) {
    let binance = botfleet_tests::fakes::binance::FakeBinance::start().await;
    let uri = binance.uri();
    let (app, repos) = bot_app(store, &[("BOTFLEET_BINANCE_BASE_URL", uri.as_str())]).await;
    let ana = app.user("ana@example.com").await;
    set_plan(&repos, &ana, Plan::Pro).await;
    let creds = binance.credentials();
    let credential =
        json!({"exchange": "binance", "api_key": creds.api_key.expose(), "api_secret": creds.api_secret.expose()});
    app.post("/api/credentials", Some(&ana.access), &credential).await.ok(201);
    let open = json!({"exchange": "binance", "symbol": "BTC-BRL", "mode": "live"});
    let ctx = app.post("/api/contexts", Some(&ana.access), &open).await.ok(201)["id"].as_str().unwrap().to_owned();
    let id = create_bot(&app, &ana, &ctx, "smart", smart(json!({}))).await["id"].as_str().unwrap().to_owned();
    // The daily revalidation found the key revoked.
    let user = ana.user_id.parse().unwrap();
    let mut stored =
        repos.credentials.find_for_exchange(user, domain::exchange::ExchangeId::Binance).await.unwrap().unwrap();
    stored.status = domain::credentials::CredentialStatus::Invalid;
    repos.credentials.update(&stored).await.unwrap();
    let refused = app.post(&format!("/api/bots/{id}/start"), Some(&ana.access), &json!({})).await;
    refused.problem(409, "credential_invalid");
    stored = repos.credentials.find_for_exchange(user, domain::exchange::ExchangeId::Binance).await.unwrap().unwrap();
    stored.status = domain::credentials::CredentialStatus::Valid;
    repos.credentials.update(&stored).await.unwrap();
    assert_eq!(command(&app, &ana, &id, "start").await["status"], "running");
}

async fn dca_accumulates_then_takes_profit(store: Store) {
    // The prices set hold still (no replay drift between a set and the fill it prices).
    let (app, repos) = bot_app(store, &[("BOTFLEET_PAPER_HOLD_SET_PRICES", "true")]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let config = json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "1000",
        "take_profit_percent": "3", "stop_loss_percent": "20"});
    let id = create_bot(&app, &ana, &ctx, "dca", config).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(300000)).await;
    command(&app, &ana, &id, "start").await;
    run(&app, "dca_execution").await;
    run(&app, "dca_execution").await; // not due again within the hour: no second purchase
    let execs = app.get(&format!("/api/bots/{id}/executions"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(execs["total"], 1);
    let e = &execs["items"][0];
    assert_eq!((e["event"].as_str(), e["cycle"].as_u64()), (Some("execution"), Some(1)));
    // Quantity rounded down to the step, price near 300000 plus spread and slippage.
    let (qty, spent) = (dec(&e["quantity"]), dec(&e["amount"]));
    assert!(spent <= dec!(101) && spent > dec!(99), "spent {spent}");
    assert!(dec(&e["price"]) > dec!(300000) && dec(&e["price"]) < dec!(300300));
    let held = bot(&app, &ana, &id).await;
    assert_books_balance(&held);
    assert_eq!(dec(&held["funds"]["holdings"]), qty);

    price(&app, &ana.access, dec!(306000)).await; // +2%: below the 3% target
    run(&app, "dca_risk_management").await;
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1);
    price(&app, &ana.access, dec!(312000)).await; // +4%
    run(&app, "dca_risk_management").await;
    let sold = bot(&app, &ana, &id).await;
    assert_books_balance(&sold);
    assert_eq!(sold["status"], "stopped", "no auto_restart: the plan is done");
    let positions = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
    let closed = &positions["closed"]["items"][0];
    assert_eq!(closed["exit_reason"], "take_profit");
    // Independently: proceeds at about 312000 less the 0.1% fee, minus what was spent.
    let expected = qty * dec!(312000) * dec!(0.999) - spent;
    let realized = dec(&sold["funds"]["realized_profit"]);
    assert!((realized - expected).abs() < dec!(0.5), "realized {realized}, expected about {expected}");
    assert_eq!(dec(&closed["realized_profit"]), realized);
}

async fn smart_bot_soft_stop_hard_stop_and_emergency_sell(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let risk = json!({"risk": {"stop_loss_soft_percent": "2", "stop_loss_hard_percent": "5"}});
    let id = create_bot(&app, &ana, &ctx, "smart", smart(risk)).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(300000)).await;
    command(&app, &ana, &id, "start").await;
    run(&app, "smart_bot_purchase").await;
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1);
    price(&app, &ana.access, dec!(292000)).await; // -2.7%: soft stop
    run(&app, "smart_bot_check_situation").await;
    let soft = bot(&app, &ana, &id).await;
    assert_eq!((soft["buying_halted"].as_bool(), soft["open_positions"].as_u64()), (Some(true), Some(1)));
    price(&app, &ana.access, dec!(282000)).await; // -6%: hard stop
    run(&app, "smart_bot_check_situation").await;
    let stopped = bot(&app, &ana, &id).await;
    assert_eq!(stopped["open_positions"], 0);
    assert!(dec(&stopped["funds"]["realized_profit"]) < Decimal::ZERO);
    assert_books_balance(&stopped);

    // A new lot, then the emergency sell: everything at market, and the bot stops.
    price(&app, &ana.access, dec!(290000)).await;
    run(&app, "smart_bot_check_situation").await; // recovers from the soft stop (nothing held)
    next_cycle().await;
    run(&app, "smart_bot_purchase").await;
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1);
    let sold = command(&app, &ana, &id, "emergency-sell").await;
    assert_eq!(sold["status"], "stopped");
    assert_eq!(sold["open_positions"], 0);
    // What the base fee left below the step size stays as dust (worth less than a cent here).
    assert!(dec(&sold["funds"]["invested"]) < dec!(0.01), "{}", sold["funds"]);
    assert_eq!(dec(&sold["funds"]["holdings_locked"]), Decimal::ZERO);
    assert_books_balance(&sold);
}

async fn smart_bot_trailing_stop_sells_on_the_turn(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let risk = json!({"risk": {"trailing_stop": {"activation_percent": "1", "distance_percent": "0.5"}}});
    let id = create_bot(&app, &ana, &ctx, "smart", smart(risk)).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(300000)).await;
    command(&app, &ana, &id, "start").await;
    run(&app, "smart_bot_purchase").await;
    for p in [dec!(304000), dec!(306000), dec!(305000)] {
        // Armed at +1.3%, the peak rises to 306000, 305000 is only 0.33% below it: holds.
        price(&app, &ana.access, p).await;
        run(&app, "smart_bot_check_situation").await;
        assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1, "holds at {p}");
    }
    price(&app, &ana.access, dec!(304000)).await; // 0.65% below the peak
    run(&app, "smart_bot_check_situation").await;
    let sold = bot(&app, &ana, &id).await;
    assert_eq!(sold["open_positions"], 0);
    assert!(dec(&sold["funds"]["realized_profit"]) > Decimal::ZERO, "the trailing stop locked a gain");
    let positions = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(positions["closed"]["items"][0]["exit_reason"], "trailing_stop");
    assert_books_balance(&sold);
}

async fn the_circuit_breaker_trips_and_only_a_reset_resumes(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let config = smart(json!({"risk": {"stop_loss_hard_percent": "1"},
        "circuit_breaker": {"preset": "custom", "max_consecutive_losses": 2, "max_daily_loss_percent": "50"}}));
    let id = create_bot(&app, &ana, &ctx, "smart", config).await["id"].as_str().unwrap().to_owned();
    let mut p = dec!(300000);
    price(&app, &ana.access, p).await;
    command(&app, &ana, &id, "start").await;
    for _ in 0..2 {
        next_cycle().await;
        run(&app, "smart_bot_purchase").await;
        p *= dec!(0.97);
        price(&app, &ana.access, p).await;
        run(&app, "smart_bot_check_situation").await;
    }
    let tripped = bot(&app, &ana, &id).await;
    assert_eq!(tripped["status"], "tripped");
    next_cycle().await;
    let breaker = app.get(&format!("/api/bots/{id}/circuit-breaker"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(breaker["consecutive_losses"], 2);
    assert_eq!(breaker["tripped"]["reason"]["trigger"], "consecutive_losses");
    assert_eq!(breaker["daily_window"], "rolling_24h");
    // Timestamps are RFC 3339 strings on the wire (the breaker's own and the bot body's).
    let rfc3339 = |v: &Value| {
        let text = v.as_str().unwrap_or_else(|| panic!("an RFC 3339 string, got {v}"));
        OffsetDateTime::parse(text, &Rfc3339).unwrap_or_else(|e| panic!("{text}: {e}"))
    };
    let at = rfc3339(&breaker["tripped"]["at"]);
    assert_eq!(rfc3339(&breaker["recent_trades"][1]["at"]), at, "the second loss tripped it");
    assert_eq!(rfc3339(&tripped["circuit_breaker"]["tripped"]["at"]), at);
    run(&app, "smart_bot_purchase").await;
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 0, "a tripped bot opens nothing");
    app.post(&format!("/api/bots/{id}/resume"), Some(&ana.access), &json!({})).await.problem(409, "bot_tripped");
    let reset = app.post(&format!("/api/bots/{id}/circuit-breaker/reset"), Some(&ana.access), &json!({})).await;
    assert_eq!(reset.ok(200)["status"], "running");
    assert_eq!(reset.ok(200)["circuit_breaker"]["consecutive_losses"], 0);
    next_cycle().await;
    run(&app, "smart_bot_purchase").await;
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1);
}

async fn channel_sells_only_above_its_floor(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let config = json!({"base_price": "300000", "top_price": "330000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "1", "capital_percent": "20", "allocated_balance": "2000",
        "sell_fee_percent": "0.1"});
    let id = create_bot(&app, &ana, &ctx, "channel", config).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(301000)).await;
    command(&app, &ana, &id, "start").await;
    run(&app, "channel_bots").await;
    price(&app, &ana.access, dec!(307000)).await; // crosses 306000: buys 20% of 2000
    run(&app, "channel_bots").await;
    let positions = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
    let open = &positions["open"][0];
    let cost = dec(&open["cost"]);
    assert!((cost - dec!(400)).abs() <= dec!(4), "an operation uses 20% of the capital: {cost}");
    let position = open["id"].as_str().unwrap().to_owned();
    // Scheduled by hand with a 5% minimum profit: a limit sale at the floor, never below it.
    let scheduled = app
        .post(
            &format!("/api/bots/{id}/positions/{position}/schedule-sell"),
            Some(&ana.access),
            &json!({"min_profit_percent": "5"}),
        )
        .await;
    scheduled.ok(200);
    run(&app, "channel_bots").await;
    let floor = {
        let p = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
        assert_eq!(p["open"][0]["status"], "scheduled");
        dec(&p["open"][0]["min_exit_price"])
    };
    let entry = dec(&open["entry_price"]);
    assert!(floor > entry * dec!(1.05), "floor {floor} above entry {entry} + 5% + fee");
    price(&app, &ana.access, floor * dec!(0.99)).await;
    run(&app, "paper_matching").await;
    run(&app, "sync_orders").await;
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1, "below the floor nothing sells");
    price(&app, &ana.access, floor * dec!(1.01)).await;
    run(&app, "paper_matching").await;
    run(&app, "sync_orders").await;
    let done = bot(&app, &ana, &id).await;
    assert_eq!(done["open_positions"], 0);
    let closed = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
    let profit = dec(&closed["closed"]["items"][0]["realized_profit"]);
    assert!(profit >= cost * dec!(0.05) * dec!(0.99), "profit {profit} of at least the 5% minimum");
    assert_books_balance(&done);
}

async fn candle_bot_acts_on_its_signal(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let config = json!({"timeframe": "1h", "indicators": [{"indicator": "rsi", "period": 2, "oversold": 49, "overbought": 51}],
        "order_amount": "100", "allocated_balance": "1000", "min_confidence": "LOW"});
    // A timeframe Mercado Bitcoin neither serves nor builds (3m) would leave the market unread
    // for every bot on it: refused at creation, naming the field.
    let mut m3 = config.clone();
    m3["timeframe"] = json!("3m");
    let body = json!({"context_id": ctx, "kind": "candle", "name": "m3", "config": m3});
    let refused = app.post("/api/bots", Some(&ana.access), &body).await;
    let error = &refused.problem(422, "validation_failed")["errors"][0];
    assert_eq!((&error["field"], &error["code"]), (&json!("config.timeframe"), &json!("unsupported_timeframe")));
    let id = create_bot(&app, &ana, &ctx, "candle", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &id, "start").await;
    run(&app, "candle_bots_analysis").await;
    run(&app, "candle_bots_analysis").await; // the same closed candle is analysed once
    let signals = app.get(&format!("/api/bots/{id}/signals"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(signals["total"], 1);
    let s = &signals["items"][0];
    let rsi = dec(&s["analysis"]["values"]["rsi"]);
    let expected = if rsi < dec!(49) {
        "BUY"
    } else if rsi > dec!(51) {
        "SELL"
    } else {
        "HOLD"
    };
    assert_eq!(s["analysis"]["signal"], expected, "the vote follows the RSI value {rsi}");
    let open = bot(&app, &ana, &id).await["open_positions"].as_u64().unwrap();
    match expected {
        "BUY" => assert_eq!((s["action"].as_str(), open), (Some("buy"), 1)),
        _ => assert_eq!(open, 0, "{}", s["action"]),
    }
}
