//! `GET /api/dashboard/performance` and `GET /api/dashboard/metrics` end to end, on both stores,
//! with a fast clock (four hours of market time per second): a MAX user's paper SmartBot trades the
//! paper exchange's replay of real candles; then the series and the metrics are checked against the
//! bot's books and against the independent Python reference fed with the closed positions the API
//! lists. FREE gets its 30-day window, no comparison (it needs PRO) and 402 on metrics; PRO gets
//! BTC buy-and-hold; bad queries are 400s naming the parameter.

use std::time::{Duration, Instant};

use botfleet_tests::analytics::reference_of;
use botfleet_tests::app::{settings, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{bot, bot_app, command, create_bot, dec, price, set_plan, trader, OPS_TOKEN};
use botfleet_tests::history::{closed_at, days_ago, stored_bot, user_id};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    series_and_metrics_match_the_books_and_the_reference,
    a_first_read_over_many_pages_counts_each_trade_once,
    the_series_is_cached_per_window_and_plan_until_a_fill_lands,
);

async fn wait_for(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn smart() -> Value {
    json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
        "allocated_balance": "2000", "max_open_positions": 3,
        "risk": {"take_profit_percent": "0.3", "stop_loss_hard_percent": "0.6"},
        // Losses must not stop it: the test needs trades over several days.
        "circuit_breaker": {"preset": "off"}})
}

fn at(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a time"), &Rfc3339).expect("RFC 3339")
}

/// To the microsecond (the Python reference's resolution).
fn micros(t: OffsetDateTime) -> i128 {
    t.unix_timestamp_nanos().div_euclid(1_000)
}

async fn closed_positions(app: &TestApp, user: &Session, id: &str) -> Vec<Value> {
    let body = app.get(&format!("/api/bots/{id}/positions?limit=200"), Some(&user.access)).await.ok(200).clone();
    body["closed"]["items"].as_array().unwrap().clone()
}

/// The reference's fixture of one bot's book at `now`, from what the API shows.
fn fixture(b: &Value, trades: &[Value], now: &Value, from: &Value) -> Value {
    let f = &b["funds"];
    let unrealized = match b["last_price"].as_str() {
        Some(_) => dec(&f["holdings"]) * dec(&b["last_price"]) - dec(&f["invested"]),
        None => Decimal::ZERO,
    };
    let trades: Vec<Value> = trades
        .iter()
        .map(|p| {
            json!({"id": p["id"], "symbol": b["symbol"], "opened_at": p["opened_at"],
            "closed_at": p["closed_at"], "realized_profit": p["realized_profit"]})
        })
        .collect();
    json!({"now": now, "from": from, "risk_free_rate": "0", "capital": f["allocated"],
        "realized": f["realized_profit"], "unrealized": unrealized.to_string(), "trades": trades})
}

fn same_decimal(got: &Value, want: &Value, what: &str) {
    match want.as_str().and_then(|s| s.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(s).ok())) {
        Some(want) => assert_eq!(dec(got), want, "{what}"),
        None => assert!(got.is_null(), "{what}: the reference says {want}, we say {got}"),
    }
}

async fn free_and_pro(app: &TestApp, repos: &infrastructure::repositories::Repositories) {
    let (free, _) = trader(app, repos, "free@example.com", Plan::Free).await;
    let perf = app.get("/api/dashboard/performance?window=all", Some(&free.access)).await.ok(200).clone();
    assert_eq!(perf["history_window"]["days"], 30, "{perf}");
    assert_eq!(perf["from"], perf["history_window"]["from"], "all is cut to the plan's 30 days");
    assert_eq!(perf["market_comparison"]["included"], false);
    assert_eq!(perf["market_comparison"]["upgrade_to"], "PRO");
    app.get("/api/dashboard/metrics", Some(&free.access)).await.problem(402, "plan_advanced_metrics");
    let bad = app.get("/api/dashboard/performance?window=14d", Some(&free.access)).await;
    assert!(bad.problem(400, "invalid_query")["detail"].as_str().unwrap().contains("`window`"));
    let bad = app.get("/api/dashboard/performance?interval=minute", Some(&free.access)).await;
    assert!(bad.problem(400, "invalid_query")["detail"].as_str().unwrap().contains("`interval`"));

    let (pro, ctx) = trader(app, repos, "pro@example.com", Plan::Pro).await;
    create_bot(app, &pro, &ctx, "smart", smart()).await;
    let perf = app.get("/api/dashboard/performance?window=90d", Some(&pro.access)).await.ok(200).clone();
    assert_eq!((perf["history_window"]["days"].as_u64(), perf["interval"].as_str()), (Some(90), Some("day")));
    assert_eq!(perf["market_comparison"]["included"], true, "{perf}");
    let books = perf["books"].as_array().unwrap();
    assert_eq!(books.len(), 1, "only the caller's bots: {perf}");
    let book = &books[0];
    assert_eq!(
        (book["mode"].as_str(), book["quote"].as_str(), book["bots"].as_u64()),
        (Some("paper"), Some("BRL"), Some(1))
    );
    let hold = &book["market_comparison"];
    assert_eq!(hold["symbol"], "BTC-BRL", "{book}");
    let (points, held) = (book["points"].as_array().unwrap(), hold["points"].as_array().unwrap());
    assert_eq!(points.len(), held.len());
    assert_eq!(points.len(), 92, "90 days: the start, 90 midnights after it, now");
    assert!(held.iter().all(|p| dec(&p["price"]) > Decimal::ZERO));
    assert_eq!(dec(&held[0]["return_percent"]), Decimal::ZERO);
    let week = app.get("/api/dashboard/performance?window=7d", Some(&pro.access)).await.ok(200).clone();
    assert_eq!(week["interval"], "hour", "short windows are hourly");
    app.get("/api/dashboard/metrics", Some(&pro.access)).await.problem(402, "plan_advanced_metrics");
}

async fn series_and_metrics_match_the_books_and_the_reference(store: Store) {
    let extra = [
        ("BOTFLEET_CLOCK_SPEED", "14400"),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
    ];
    let (app, repos) = spawn_with_repositories(settings(store, &extra)).await;
    free_and_pro(&app, &repos).await;

    let (max, ctx) = trader(&app, &repos, "max@example.com", Plan::Max).await;
    let id = create_bot(&app, &max, &ctx, "smart", smart()).await["id"].as_str().unwrap().to_owned();
    command(&app, &max, &id, "start").await;
    // Trades over more than three market days, so the daily returns give Sharpe and Sortino. The
    // series is read all along: each read adds only the trades closed since the one before (the
    // cache of trades), and the last one must still match the reference.
    wait_for("trades over three days", async || {
        app.get("/api/dashboard/performance?window=all&interval=day", Some(&max.access)).await.ok(200);
        let closed: Vec<OffsetDateTime> =
            closed_positions(&app, &max, &id).await.iter().map(|p| at(&p["closed_at"])).collect();
        let span = closed.iter().max().zip(closed.iter().min()).map(|(last, first)| *last - *first);
        closed.len() >= 6 && span.is_some_and(|s| s > time::Duration::days(3))
    })
    .await;
    wait_for("the bot to stop", async || {
        let answer = app.post(&format!("/api/bots/{id}/stop"), Some(&max.access), &json!({})).await;
        assert!(answer.status == 200 || answer.status == 409, "stop: {}", answer.status);
        bot(&app, &max, &id).await["status"] == "stopped"
    })
    .await;
    wait_for("its orders to end", async || bot(&app, &max, &id).await["pending_orders"] == 0).await;
    // A sale the stop raced may still land (the exchange filled what was being cancelled, and a
    // later sync books it): wait until the bot's books stay the same for a second.
    let mut last = Value::Null;
    wait_for("its books to settle", async || {
        let funds = bot(&app, &max, &id).await["funds"].clone();
        let settled = funds == last;
        last = funds;
        if !settled {
            tokio::time::sleep(Duration::from_millis(750)).await;
        }
        settled
    })
    .await;
    let b = bot(&app, &max, &id).await;
    let trades = closed_positions(&app, &max, &id).await;

    // The series: the book is the bot's, its last point marks the holdings.
    let perf = app.get("/api/dashboard/performance?window=all&interval=day", Some(&max.access)).await.ok(200).clone();
    assert_eq!(perf["history_window"]["days"], Value::Null, "MAX is unlimited: {perf}");
    let book = &perf["books"][0];
    assert_eq!(dec(&book["capital"]), dec(&b["funds"]["allocated"]));
    assert_eq!(dec(&book["realized_pnl"]), dec(&b["funds"]["realized_profit"]));
    let realized: Decimal = trades.iter().map(|p| dec(&p["realized_profit"])).sum();
    assert_eq!(realized, dec(&book["realized_pnl"]), "the trades add up to the realized profit");
    let want = reference_of(&fixture(&b, &trades, &perf["to"], &perf["from"]));
    let (points, want_points) = (book["points"].as_array().unwrap(), want["points"].as_array().unwrap());
    assert_eq!(points.len(), want_points.len(), "{perf}\n{want}");
    for (p, w) in points.iter().zip(want_points) {
        assert_eq!(micros(at(&p["at"])), micros(at(&w["at"])));
        assert_eq!((dec(&p["equity"]), dec(&p["cumulative_pnl"])), (dec(&w["equity"]), dec(&w["cumulative_pnl"])));
    }
    assert!(book["market_comparison"].is_object(), "MAX has the comparison: {book}");

    // The metrics, against the reference at the metrics' own `now`.
    let metrics = app.get("/api/dashboard/metrics?window=all", Some(&max.access)).await.ok(200).clone();
    let m = &metrics["books"][0];
    let want = reference_of(&fixture(&b, &trades, &metrics["to"], &metrics["from"]));
    assert_eq!(m["trades"].as_u64(), want["trades"].as_u64(), "{m}\n{want}");
    assert_eq!(m["wins"].as_u64(), want["wins"].as_u64());
    for figure in ["win_rate", "profit_factor", "expectancy", "average_hold_seconds", "median_hold_seconds"] {
        same_decimal(&m[figure], &want[figure], figure);
    }
    let w = want["sharpe_ratio"].as_f64().unwrap_or_else(|| panic!("three days give a Sharpe ratio: {want}"));
    assert!((m["sharpe_ratio"].as_f64().unwrap() - w).abs() <= 1e-9 * w.abs(), "sharpe: {m}");
    match want["sortino_ratio"].as_f64() {
        Some(w) => assert!((m["sortino_ratio"].as_f64().unwrap() - w).abs() <= 1e-9 * w.abs(), "sortino: {m}"),
        None => assert_eq!(m["unavailable"]["sortino_ratio"], want["sortino_ratio"], "sortino: {m}"),
    }
    let (dd, want_dd) = (&m["max_drawdown"], &want["max_drawdown"]);
    same_decimal(&dd["amount"], &want_dd["amount"], "drawdown amount");
    same_decimal(&dd["percent"], &want_dd["percent"], "drawdown percent");
    assert_eq!(m["best_trade"]["id"], want["best_trade"]);
    assert_eq!(m["worst_trade"]["id"], want["worst_trade"]);

    let bad = app.get("/api/dashboard/performance?window=90d&interval=hour", Some(&max.access)).await;
    assert!(bad.problem(400, "invalid_query")["detail"].as_str().unwrap().contains("`interval`"));
}

/// The first read of a window (an empty trade cache, as after a restart) pages through the
/// user's records of every bot at once: 452 trades in the window over three bots, closed in runs
/// of seven at the very same millisecond so that page edges (200 records) fall inside a run, and
/// two older trades outside it. Each counts once: none lost, none twice.
async fn a_first_read_over_many_pages_counts_each_trade_once(store: Store) {
    let (app, repos) = spawn_with_repositories(settings(store, &[])).await;
    let (user, ctx) = trader(&app, &repos, "max@example.com", Plan::Max).await;
    let mut bots = Vec::new();
    for _ in 0..3 {
        let id = create_bot(&app, &user, &ctx, "smart", smart()).await["id"].as_str().unwrap().to_owned();
        bots.push(stored_bot(&repos, user_id(&user), &id).await);
    }
    let (mut wins, mut sum, start) = (0, Decimal::ZERO, days_ago(1));
    for i in 0..454_i64 {
        // Runs of seven share an instant; the last two trades are older than the window.
        let at = if i < 452 { start - time::Duration::hours(i / 7) } else { days_ago(100 + i) };
        let (cost, proceeds) = (Decimal::from(100), Decimal::from(95 + i % 11));
        closed_at(&repos, &bots[(i % 3) as usize], at, Decimal::ONE, cost, proceeds).await;
        if i < 452 {
            wins += u64::from(proceeds > cost);
            sum += proceeds - cost;
        }
    }

    let metrics = app.get("/api/dashboard/metrics?window=90d", Some(&user.access)).await.ok(200).clone();
    let perf = app.get("/api/dashboard/performance?window=90d", Some(&user.access)).await.ok(200).clone();

    let m = &metrics["books"][0];
    assert_eq!((m["trades"].as_u64(), m["wins"].as_u64()), (Some(452), Some(wins)), "{m}");
    let points = perf["books"][0]["points"].as_array().unwrap();
    assert_eq!(dec(&points.last().unwrap()["cumulative_pnl"]), sum, "every trade of the window, once");
    // The cached read (the records added since) agrees.
    let again = app.get("/api/dashboard/metrics?window=90d", Some(&user.access)).await.ok(200).clone();
    assert_eq!(again["books"][0]["trades"].as_u64(), Some(452));
}

/// The answer is cached per user for 60 s, per window, interval and plan: a second read is the
/// same answer (the same `to`); another window, another plan or a fill the engine applies reads
/// the books again.
async fn the_series_is_cached_per_window_and_plan_until_a_fill_lands(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    price(&app, &ana.access, dec!(100000)).await;
    let manual = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let id = create_bot(&app, &ana, &ctx, "smart", manual).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &id, "start").await;
    let read = async |query: &str| {
        let path = format!("/api/dashboard/performance?{query}");
        app.get(&path, Some(&ana.access)).await.ok(200).clone()
    };
    let first = read("window=30d").await;
    assert_eq!(read("window=30d").await, first, "served from the cache");
    assert_ne!(read("window=30d&interval=hour").await["to"], first["to"], "another interval is read on its own");
    assert_ne!(read("window=7d").await["to"], first["to"], "another window too");

    set_plan(&repos, &ana, Plan::Free).await;
    let free = read("window=30d").await;
    assert_eq!(free["market_comparison"]["included"], false, "the new plan applies at once: {free}");
    assert_ne!(free["to"], first["to"]);

    let body = json!({"type": "market", "quote_amount": "250"});
    app.post(&format!("/api/bots/{id}/buy"), Some(&ana.access), &body).await.ok(201);
    let bought = read("window=30d").await;
    assert_ne!(bought["to"], free["to"], "the fill dropped the cached answer");
    let positions = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
    let position = positions["open"].as_array().unwrap().iter().find(|p| dec(&p["quantity"]) > Decimal::ZERO);
    let position = position.unwrap_or_else(|| panic!("an open position: {positions}"))["id"].clone();
    let body = json!({"type": "market", "position_id": position});
    app.post(&format!("/api/bots/{id}/sell"), Some(&ana.access), &body).await.ok(201);
    let sold = read("window=30d").await;
    let realized = dec(&bot(&app, &ana, &id).await["funds"]["realized_profit"]);
    assert_ne!(realized, Decimal::ZERO, "fees at least");
    assert_eq!(dec(&sold["books"][0]["realized_pnl"]), realized, "the books after the sale: {sold}");

    // MAX's metrics are cached the same way.
    set_plan(&repos, &ana, Plan::Max).await;
    let metrics = async || app.get("/api/dashboard/metrics?window=30d", Some(&ana.access)).await.ok(200).clone();
    let first = metrics().await;
    assert_eq!(first["books"][0]["trades"], 1, "{first}");
    assert_eq!(metrics().await, first, "served from the cache");
    let body = json!({"type": "market", "quote_amount": "250"});
    app.post(&format!("/api/bots/{id}/buy"), Some(&ana.access), &body).await.ok(201);
    assert_ne!(metrics().await["to"], first["to"], "the fill dropped the cached metrics");
}
