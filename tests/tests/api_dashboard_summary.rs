//! `GET /api/dashboard/summary` end to end on both stores. The figures are checked against what
//! the test adds up on its own: the bots' books (`GET /api/bots`), the orders (`GET
//! /api/orders`: fills and fees) and the bots' closed positions, marked at the ticker the test
//! reads itself (`GET /api/market/.../ticker`). Scenarios: bots traded by hand and by a workflow
//! (reconciliation to the unit, another user, no bots), the cache and the fill that drops it, the
//! bots' own changes that drop every dashboard cache, and every strategy trading real candles on
//! the paper exchange with a fast clock.

use std::time::{Duration, Instant};

use botfleet_tests::app::{settings, spawn_on_repositories, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{bot_app, command, create_bot, dec, price, run, set_plan, trader, OPS_TOKEN};
use botfleet_tests::dashboard::{bots, group, money, orders, recompute, summary, win_rate, Recomputed};
use botfleet_tests::orders::place;
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    the_summary_reconciles_with_the_bots_and_the_orders_and_shows_no_one_else,
    the_figures_are_cached_until_a_fill_lands,
    a_bot_created_changed_started_stopped_or_deleted_shows_at_once,
    every_strategy_trades_real_candles_and_the_summary_matches_the_orders,
);

const TICKER: &str = "/api/market/mercado_bitcoin/BTC-BRL/ticker?mode=paper";

/// The summary and the price it marked paper BTC-BRL at, read between two tickers that agree (the
/// paper price moves every second): so the price is the one the test read itself.
async fn steady_summary(app: &TestApp, user: &Session) -> (Value, Decimal) {
    for _ in 0..100 {
        let before = dec(&app.get(TICKER, Some(&user.access)).await.ok(200)["last"]);
        let s = summary(app, user).await;
        let after = dec(&app.get(TICKER, Some(&user.access)).await.ok(200)["last"]);
        if before == after {
            return (s, before);
        }
    }
    panic!("the paper price never held still across a summary");
}

/// The mark price of paper BTC-BRL in `s`.
fn marked(s: &Value) -> Decimal {
    let p = s["prices"].as_array().unwrap().iter().find(|p| p["symbol"] == "BTC-BRL" && p["mode"] == "paper");
    let p = p.unwrap_or_else(|| panic!("no paper BTC-BRL price in {s}"));
    assert_eq!((p["source"].as_str(), &p["error"]), (Some("last"), &Value::Null), "{p}");
    assert!(p["read_at"].is_string() && p["exchange_time"].is_string(), "{p}");
    dec(&p["price"])
}

/// Checks `figures` against `r` (the recomputed books of the same bots) at `price`.
fn assert_matches(figures: &Value, r: &Recomputed, price: Decimal, what: &str) {
    assert_eq!(dec(&figures["total_in_positions"]), r.invested(), "{what}: in positions");
    assert_eq!(dec(&figures["realized_pnl"]), r.realized, "{what}: realized");
    assert_eq!(dec(&figures["unrealized_pnl"]), r.unrealized(price), "{what}: unrealized at {price}");
    assert_eq!(dec(&figures["fees_paid"]), r.fees_quote, "{what}: quote fees");
    let base_fees = figures["fees_paid_base"].get("BTC").map(dec).unwrap_or_default();
    assert_eq!(base_fees, r.fees_base, "{what}: base fees");
    assert_eq!(
        (figures["trades"].as_u64(), figures["winning_trades"].as_u64()),
        (Some(r.trades), Some(r.wins)),
        "{what}"
    );
    assert_eq!(figures["win_rate"], win_rate(r.wins, r.trades), "{what}: win rate");
}

/// Every bot of `user` recomputed, in total and by kind; and the sums over their `funds`.
async fn recompute_all(app: &TestApp, user: &Session) -> (Recomputed, std::collections::BTreeMap<String, Recomputed>) {
    let (mut total, mut by_kind) = (Recomputed::default(), std::collections::BTreeMap::new());
    for b in bots(app, user).await {
        let r = recompute(app, user, b["id"].as_str().unwrap(), "BTC", "BRL").await;
        let f = &b["funds"];
        // The bot's own books agree with what its orders and positions say.
        assert_eq!((dec(&f["invested"]), dec(&f["holdings"])), (r.invested(), r.holdings), "{}", b["kind"]);
        assert_eq!((dec(&f["realized_profit"]), dec(&f["fees_quote"])), (r.realized, r.fees_quote), "{}", b["kind"]);
        assert_eq!(b["trades"].as_u64(), Some(r.trades));
        total.add(&r);
        by_kind.entry(b["kind"].as_str().unwrap().to_owned()).or_insert_with(Recomputed::default).add(&r);
    }
    (total, by_kind)
}

/// A SmartBot bought and sold by hand: `POST /api/bots/{id}/{side}`.
async fn trade(app: &TestApp, user: &Session, bot: &str, side: &str, body: Value) -> Value {
    app.post(&format!("/api/bots/{bot}/{side}"), Some(&user.access), &body).await.ok(201).clone()
}

async fn sell_position(app: &TestApp, user: &Session, bot: &str, bought: &Value) {
    let position = app.get(&format!("/api/bots/{bot}/positions"), Some(&user.access)).await.ok(200)["open"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["opened_at"].is_string() && dec(&p["quantity"]) > Decimal::ZERO)
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("an open position after {bought}"));
    trade(app, user, bot, "sell", json!({"type": "market", "position_id": position})).await;
}

async fn the_summary_reconciles_with_the_bots_and_the_orders_and_shows_no_one_else(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Max).await;
    let (bia, bia_ctx) = trader(&app, &repos, "bia@example.com", Plan::Pro).await;
    let carl = app.user("carl@example.com").await;
    price(&app, &ana.access, dec!(100000)).await;
    let smart = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000",
        "max_open_positions": 3});
    let smart = create_bot(&app, &ana, &ctx, "smart", smart).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &smart, "start").await;
    // A winning trade, a losing one, a position left open and a resting buy.
    let buy = json!({"type": "market", "quote_amount": "250"});
    let first = trade(&app, &ana, &smart, "buy", buy.clone()).await;
    price(&app, &ana.access, dec!(110000)).await;
    sell_position(&app, &ana, &smart, &first).await;
    let second = trade(&app, &ana, &smart, "buy", buy.clone()).await;
    price(&app, &ana.access, dec!(95000)).await;
    sell_position(&app, &ana, &smart, &second).await;
    trade(&app, &ana, &smart, "buy", buy).await;
    trade(&app, &ana, &smart, "buy", json!({"type": "limit", "quantity": "0.002", "price": "50000"})).await;
    // A DCA purchase by its workflow, and a manual order resting on the context.
    let dca = json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "3000",
        "take_profit_percent": "50"});
    let dca = create_bot(&app, &ana, &ctx, "dca", dca).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &dca, "start").await;
    run(&app, "dca_execution").await;
    let manual = json!({"side": "buy", "type": "limit", "quantity": "0.001", "price": "40000"});
    place(&app, &ana, &ctx, manual).await.ok(201);

    let (s, price) = steady_summary(&app, &ana).await;

    assert_eq!(marked(&s), price, "marked at the ticker's last price");
    assert_eq!((s["currencies_converted"].as_bool(), s["cache_ttl_seconds"].as_i64()), (Some(false), Some(60)));
    assert_eq!(s["currencies"].as_array().unwrap().len(), 1, "one currency, one mode: {s}");
    let paper = group(&s, "paper", "BRL");
    let figures = &paper["summary"];
    // Sums over the bots' books, to the unit.
    let all = bots(&app, &ana).await;
    let sum = |field: &str| all.iter().map(|b| dec(&b["funds"][field])).sum::<Decimal>();
    let expected = [
        ("total_invested", sum("allocated")),
        ("total_in_positions", sum("invested")),
        ("realized_pnl", sum("realized_profit")),
        ("fees_paid", sum("fees_quote")),
    ];
    assert_eq!(money(figures), expected.into_iter().collect(), "{figures}");
    assert_eq!(figures["trades"].as_u64(), Some(all.iter().map(|b| b["trades"].as_u64().unwrap()).sum()));
    assert_eq!((figures["trades"].as_u64(), figures["winning_trades"].as_u64()), (Some(2), Some(1)));
    assert_eq!(figures["win_rate"], "50.00");
    assert_eq!((figures["bots"].as_u64(), figures["active_bots"].as_u64()), (Some(2), Some(2)));
    // And over the orders: fills, fees and what is still open.
    let (total, by_kind) = recompute_all(&app, &ana).await;
    assert_matches(figures, &total, price, "all bots");
    let open = orders(&app, &ana, "?status=pending,new,partially_filled").await;
    assert_eq!(figures["pending_orders"].as_u64(), Some(open.len() as u64));
    assert_eq!(open.len(), 2, "the bot's resting buy and the manual one");
    for kind in ["smart", "dca"] {
        assert_matches(&paper["performance_by_strategy"][kind], &by_kind[kind], price, kind);
    }
    let smart_figures = &paper["performance_by_strategy"]["smart"];
    assert_eq!((smart_figures["pending_orders"].as_u64(), smart_figures["active_bots"].as_u64()), (Some(1), Some(1)));
    for kind in ["candle", "channel"] {
        let none = &paper["performance_by_strategy"][kind];
        assert_eq!(
            (none["bots"].as_u64(), &none["win_rate"], dec(&none["total_invested"])),
            (Some(0), &Value::Null, Decimal::ZERO)
        );
    }
    let contexts = s["contexts"].as_array().unwrap();
    assert_eq!(contexts.len(), 1);
    assert_eq!((contexts[0]["context_id"].as_str(), &contexts[0]["summary"]), (Some(&*ctx), figures));

    // Another user sees only their own context, with zeros and no win rate; no context, nothing.
    let theirs = summary(&app, &bia).await;
    let zero = &group(&theirs, "paper", "BRL")["summary"];
    assert_eq!((zero["bots"].as_u64(), zero["trades"].as_u64(), &zero["win_rate"]), (Some(0), Some(0), &Value::Null));
    assert!(money(zero).values().all(Decimal::is_zero) && dec(&zero["unrealized_pnl"]).is_zero(), "{zero}");
    assert_eq!(zero["pending_orders"].as_u64(), Some(0));
    let ids: Vec<&str> =
        theirs["contexts"].as_array().unwrap().iter().map(|c| c["context_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [bia_ctx.as_str()]);
    assert!(theirs["prices"].as_array().unwrap().is_empty(), "nothing held, nothing priced");
    let nothing = summary(&app, &carl).await;
    assert_eq!((&nothing["currencies"], &nothing["contexts"]), (&json!([]), &json!([])));
    app.get("/api/dashboard/summary", None).await.problem(401, "missing_token");
}

async fn the_figures_are_cached_until_a_fill_lands(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    price(&app, &ana.access, dec!(100000)).await;
    let smart = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let smart = create_bot(&app, &ana, &ctx, "smart", smart).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &smart, "start").await;
    let first = summary(&app, &ana).await;
    // Nothing changed: the cached figures are served (prices are read every time).
    let cached = summary(&app, &ana).await;
    assert_eq!(cached["as_of"], first["as_of"], "served from the cache");
    assert_eq!(cached["currencies"], first["currencies"]);

    let bought = trade(&app, &ana, &smart, "buy", json!({"type": "market", "quote_amount": "250"})).await;

    let after = summary(&app, &ana).await;
    assert_ne!(after["as_of"], first["as_of"], "the fill dropped the cached figures");
    let figures = &group(&after, "paper", "BRL")["summary"];
    assert_eq!(dec(&figures["total_in_positions"]), dec(&bought["bot"]["funds"]["invested"]));
    assert!(dec(&figures["total_in_positions"]) > Decimal::ZERO);
    assert_eq!(figures["active_bots"].as_u64(), Some(1), "recomputed whole");

    // A resting buy fills on the exchange: the figures wait for the engine to apply it.
    trade(&app, &ana, &smart, "buy", json!({"type": "limit", "quantity": "0.001", "price": "90000"})).await;
    let resting = summary(&app, &ana).await;
    price(&app, &ana.access, dec!(89000)).await;
    assert_eq!(summary(&app, &ana).await["as_of"], resting["as_of"], "nothing applied yet");
    run(&app, "sync_orders").await;
    let synced = summary(&app, &ana).await;
    assert_ne!(synced["as_of"], resting["as_of"], "the synced fill dropped them");
    let books = &botfleet_tests::bots::bot(&app, &ana, &smart).await["funds"];
    assert!(dec(&books["invested"]) > dec(&bought["bot"]["funds"]["invested"]), "the resting buy filled: {books}");
    assert_eq!(dec(&group(&synced, "paper", "BRL")["summary"]["total_in_positions"]), dec(&books["invested"]));
}

/// The paper BRL book's `field` in the summary and in the 30-day series, and the metrics' `to`
/// (a new `to` is a new computation).
async fn shown(app: &TestApp, user: &Session, field: &str) -> (Value, Value, Value) {
    let s = summary(app, user).await;
    let series = app.get("/api/dashboard/performance?window=30d", Some(&user.access)).await.ok(200).clone();
    let metrics = app.get("/api/dashboard/metrics?window=30d", Some(&user.access)).await.ok(200).clone();
    (group(&s, "paper", "BRL")["summary"][field].clone(), series["books"].clone(), metrics["to"].clone())
}

/// A bot's own changes (no fill) drop the summary, the series and the metrics at once: the next
/// read shows the change, not the figures cached up to 60 s before.
async fn a_bot_created_changed_started_stopped_or_deleted_shows_at_once(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Max).await;
    let (bia, _) = trader(&app, &repos, "bia@example.com", Plan::Max).await;
    price(&app, &ana.access, dec!(100000)).await;
    let config =
        |allocated: &str| json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": allocated});
    let first = create_bot(&app, &ana, &ctx, "smart", config("1000")).await["id"].as_str().unwrap().to_owned();
    let (bots_before, books_before, to_before) = shown(&app, &ana, "bots").await;
    assert_eq!(shown(&app, &ana, "bots").await.2, to_before, "cached while nothing changes");
    let theirs = shown(&app, &bia, "bots").await;

    let second = create_bot(&app, &ana, &ctx, "smart", config("500")).await["id"].as_str().unwrap().to_owned();
    let (bots, books, to) = shown(&app, &ana, "bots").await;
    assert_eq!((bots_before.as_u64(), bots.as_u64()), (Some(1), Some(2)), "created");
    assert_eq!((books_before[0]["bots"].as_u64(), books[0]["bots"].as_u64()), (Some(1), Some(2)), "{books}");
    assert_ne!(to, to_before, "the metrics were computed again");
    assert_eq!(shown(&app, &bia, "bots").await.2, theirs.2, "another user's caches stay");

    let body = json!({"name": "renamed", "config": config("700")});
    app.put(&format!("/api/bots/{second}"), Some(&ana.access), &body).await.ok(200);
    let (invested, books, to_edited) = shown(&app, &ana, "total_invested").await;
    assert_eq!((dec(&invested), dec(&books[0]["capital"])), (dec!(1700), dec!(1700)), "edited: {books}");
    assert_ne!(to_edited, to);

    command(&app, &ana, &first, "start").await;
    let (active, _, to_started) = shown(&app, &ana, "active_bots").await;
    assert_eq!(active.as_u64(), Some(1), "started");
    assert_ne!(to_started, to_edited);
    command(&app, &ana, &first, "stop").await;
    let (active, _, to_stopped) = shown(&app, &ana, "active_bots").await;
    assert_eq!(active.as_u64(), Some(0), "stopped");
    assert_ne!(to_stopped, to_started);

    app.delete(&format!("/api/bots/{second}"), Some(&ana.access), None).await.ok(204);
    let (bots, books, to_deleted) = shown(&app, &ana, "bots").await;
    assert_eq!((bots.as_u64(), books[0]["bots"].as_u64(), dec(&books[0]["capital"])), (Some(1), Some(1), dec!(1000)));
    assert_ne!(to_deleted, to_stopped, "deleted");
}

async fn wait_for(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Filled buys and sells of `bot`.
async fn filled(app: &TestApp, user: &Session, bot: &str) -> (usize, usize) {
    let all = orders(app, user, &format!("?bot_id={bot}")).await;
    let count =
        |side: &str| all.iter().filter(|o| o["side"] == side && dec(&o["filled_quantity"]) > Decimal::ZERO).count();
    (count("buy"), count("sell"))
}

async fn every_strategy_trades_real_candles_and_the_summary_matches_the_orders(store: Store) {
    let fast = [
        ("BOTFLEET_CLOCK_SPEED", "3600"),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
    ];
    let (app, repos) = spawn_with_repositories(settings(store, &fast)).await;
    let ana = app.user("ana@example.com").await;
    set_plan(&repos, &ana, Plan::Max).await;
    let open = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let ctx = app.post("/api/contexts", Some(&ana.access), &open).await.ok(201)["id"].as_str().unwrap().to_owned();
    let now = dec(&app.get(TICKER, Some(&ana.access)).await.ok(200)["last"]);
    let configs = [
        (
            "dca",
            json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "3000",
            "take_profit_percent": "0.5", "auto_restart": true}),
        ),
        (
            "smart",
            json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
            "allocated_balance": "2000", "max_open_positions": 3,
            "risk": {"take_profit_percent": "0.3", "stop_loss_hard_percent": "0.6"}}),
        ),
        (
            "candle",
            json!({"timeframe": "1h", "order_amount": "100", "allocated_balance": "1000",
            "min_confidence": "LOW", "indicators": [{"indicator": "rsi", "period": 2, "oversold": 45, "overbought": 55}],
            "risk": {"stop_loss_hard_percent": "2"}}),
        ),
        (
            "channel",
            json!({"base_price": (now * dec!(0.995)).round_dp(2).to_string(),
            "top_price": (now * dec!(1.02)).round_dp(2).to_string(), "buy_threshold_percent": "0.2",
            "sell_threshold_percent": "0.3", "min_profit_percent": "0.2", "capital_percent": "25",
            "allocated_balance": "2000", "sell_fee_percent": "0.1"}),
        ),
    ];
    let mut ids = Vec::new();
    for (kind, config) in configs {
        let id = create_bot(&app, &ana, &ctx, kind, config).await["id"].as_str().unwrap().to_owned();
        command(&app, &ana, &id, "start").await;
        ids.push(id);
    }
    wait_for("DCA purchases and SmartBot round trips", async || {
        let (d, s) = (filled(&app, &ana, &ids[0]).await, filled(&app, &ana, &ids[1]).await);
        d.0 >= 3 && s.0 >= 3 && s.1 >= 2
    })
    .await;
    for id in &ids {
        wait_for("the bot to stop", async || {
            let answer = app.post(&format!("/api/bots/{id}/stop"), Some(&ana.access), &json!({})).await;
            assert!(answer.status == 200 || answer.status == 409, "stop: {}", answer.status);
            botfleet_tests::bots::bot(&app, &ana, id).await["status"] == "stopped"
        })
        .await;
    }
    wait_for("every order to end", async || {
        orders(&app, &ana, "?status=pending,new,partially_filled").await.is_empty()
    })
    .await;
    // The books are read on a server over the same store at the real clock's pace, where the
    // paper price holds still within a second, so the test can read the price the summary used.
    drop(app);
    let app = spawn_on_repositories(settings(store, &[("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000")]), &repos).await;

    let (s, price) = steady_summary(&app, &ana).await;

    assert_eq!(marked(&s), price);
    let paper = group(&s, "paper", "BRL");
    let (total, by_kind) = recompute_all(&app, &ana).await;
    assert!(total.trades >= 2 && total.holdings > Decimal::ZERO, "some trades closed and something is held: {total:?}");
    assert_matches(&paper["summary"], &total, price, "all bots");
    for kind in ["smart", "candle", "dca", "channel"] {
        assert_matches(&paper["performance_by_strategy"][kind], &by_kind[kind], price, kind);
    }
    let figures = &paper["summary"];
    assert_eq!(dec(&figures["total_invested"]), dec!(8000));
    assert_eq!((figures["active_bots"].as_u64(), figures["pending_orders"].as_u64()), (Some(0), Some(0)));
    assert_eq!(&s["contexts"][0]["summary"], figures);
}
