//! The whole engine through the running server and its scheduler, with a fast clock (an hour of
//! market time per second, workflows 50 times faster), on both stores: register, add a Binance
//! credential (a local fake Binance), open a paper context and a live one, create and start a bot
//! of each kind, let the workflows trade over the paper exchange's replay of real candles (and the
//! fake Binance), stop them, then check every bot's funds, positions and P&L and both accounts'
//! balances against figures computed in this test from the orders alone.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use botfleet_tests::app::{settings, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{assert_books_balance, bot, command, create_bot, dec, set_plan, OPS_TOKEN};
use botfleet_tests::fakes::binance::FakeBinance;
use domain::orders::{Order, OrderFilter};
use domain::subscriptions::Plan;
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(every_kind_trades_and_the_books_match_the_orders);

/// What a bot's filled orders add up to, computed from the orders only.
#[derive(Debug, Default)]
struct Tally {
    buys: usize,
    sells: usize,
    spent: Decimal,
    bought: Decimal,
    sold: Decimal,
    received: Decimal,
}

fn tally(orders: &[Order], base: &str, quote: &str) -> Tally {
    let mut t = Tally::default();
    for o in orders.iter().filter(|o| o.filled_quantity > Decimal::ZERO) {
        let fee = |asset: &str| o.fees.get(asset).copied().unwrap_or_default();
        match o.side {
            domain::exchange::OrderSide::Buy => {
                t.buys += 1;
                t.spent += o.filled_quote + fee(quote);
                t.bought += o.filled_quantity - fee(base);
            }
            domain::exchange::OrderSide::Sell => {
                t.sells += 1;
                t.sold += o.filled_quantity + fee(base);
                t.received += o.filled_quote - fee(quote);
            }
        }
    }
    t
}

async fn orders_of(repos: &Repositories, user: &Session, bot: &str) -> Vec<Order> {
    let filter = OrderFilter { bot: Some(bot.parse().unwrap()), ..OrderFilter::default() };
    repos.orders.list(user.user_id.parse().unwrap(), &filter, PageRequest::new(0, 200)).await.unwrap().items
}

async fn wait_for(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !ready().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn balance(app: &TestApp, user: &Session, context: &str) -> Value {
    app.get(&format!("/api/contexts/{context}/balance"), Some(&user.access)).await.ok(200).clone()
}

async fn every_kind_trades_and_the_books_match_the_orders(store: Store) {
    let binance = FakeBinance::start().await;
    let uri = binance.uri();
    let extra = [
        ("BOTFLEET_CLOCK_SPEED", "3600"),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
        ("BOTFLEET_BINANCE_BASE_URL", uri.as_str()),
    ];
    let (app, repos) = spawn_with_repositories(settings(store, &extra)).await;
    let ana = app.user("ana@example.com").await;
    set_plan(&repos, &ana, Plan::Pro).await;
    let creds = binance.credentials();
    let credential =
        json!({"exchange": "binance", "api_key": creds.api_key.expose(), "api_secret": creds.api_secret.expose()});
    assert_eq!(app.post("/api/credentials", Some(&ana.access), &credential).await.ok(201)["status"], "valid");
    let open = |exchange: &str, mode: &str| json!({"exchange": exchange, "symbol": "BTC-BRL", "mode": mode});
    let paper = app.post("/api/contexts", Some(&ana.access), &open("mercado_bitcoin", "paper")).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let live = app.post("/api/contexts", Some(&ana.access), &open("binance", "live")).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ticker =
        app.get("/api/market/mercado_bitcoin/BTC-BRL/ticker?mode=paper", Some(&ana.access)).await.ok(200).clone();
    let now = dec(&ticker["last"]);

    let configs = [
        (
            &paper,
            "dca",
            json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "3000",
            "take_profit_percent": "0.5", "auto_restart": true}),
        ),
        (
            &paper,
            "smart",
            json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
            "allocated_balance": "2000", "max_open_positions": 3,
            "risk": {"take_profit_percent": "0.3", "stop_loss_hard_percent": "0.6"}}),
        ),
        (
            &paper,
            "candle",
            json!({"timeframe": "1h", "order_amount": "100", "allocated_balance": "1000",
            "min_confidence": "LOW", "indicators": [{"indicator": "rsi", "period": 2, "oversold": 45, "overbought": 55}],
            "risk": {"stop_loss_hard_percent": "2"}}),
        ),
        (
            &paper,
            "channel",
            json!({"base_price": (now * dec!(0.995)).round_dp(2).to_string(),
            "top_price": (now * dec!(1.02)).round_dp(2).to_string(), "buy_threshold_percent": "0.2",
            "sell_threshold_percent": "0.3", "min_profit_percent": "0.2", "capital_percent": "25",
            "allocated_balance": "2000", "sell_fee_percent": "0.1"}),
        ),
        (
            &live,
            "dca",
            json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "1000",
            "take_profit_percent": "50"}),
        ),
    ];
    let mut bots = Vec::new();
    for (context, kind, config) in configs {
        let id = create_bot(&app, &ana, context, kind, config).await["id"].as_str().unwrap().to_owned();
        command(&app, &ana, &id, "start").await;
        bots.push((context.clone(), kind, id));
    }

    // Let the scheduler trade: enough hours of market time for several DCA purchases on both
    // exchanges and some SmartBot round trips.
    let (dca, smart, live_dca) = (bots[0].2.clone(), bots[1].2.clone(), bots[4].2.clone());
    wait_for("DCA purchases and SmartBot trades", async || {
        let d = tally(&orders_of(&repos, &ana, &dca).await, "BTC", "BRL");
        let s = tally(&orders_of(&repos, &ana, &smart).await, "BTC", "BRL");
        let l = tally(&orders_of(&repos, &ana, &live_dca).await, "BTC", "BRL");
        d.buys >= 4 && s.buys >= 2 && s.sells >= 1 && l.buys >= 2
    })
    .await;
    // A stop can meet a 409 while the engine holds the bot (its lease) or the bot moved on: ask
    // again until every bot reads `stopped`, so nothing trades while the books are read.
    for (_, _, id) in &bots {
        wait_for("the bot to stop", async || {
            let answer = app.post(&format!("/api/bots/{id}/stop"), Some(&ana.access), &json!({})).await;
            assert!(answer.status == 200 || answer.status == 409, "stop: {}", answer.status);
            bot(&app, &ana, id).await["status"] == "stopped"
        })
        .await;
    }
    wait_for("every order to end", async || {
        let mut open = 0;
        for (_, _, id) in &bots {
            open += orders_of(&repos, &ana, id).await.iter().filter(|o| o.is_open()).count();
            open += bot(&app, &ana, id).await["pending_orders"].as_u64().unwrap() as usize;
        }
        open == 0
    })
    .await;

    let mut per_context: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for (context, kind, id) in &bots {
        let b = bot(&app, &ana, id).await;
        assert_books_balance(&b);
        let t = tally(&orders_of(&repos, &ana, id).await, "BTC", "BRL");
        let f = &b["funds"];
        let allocated = dec(&f["allocated"]);
        // Cash: what was allocated, less what buys cost, plus what sales brought.
        assert_eq!(dec(&f["available"]) + dec(&f["blocked"]), allocated - t.spent + t.received, "{kind}: cash {f}");
        assert_eq!(dec(&f["blocked"]), Decimal::ZERO, "{kind}: nothing blocked once every order ended");
        // Coins: what buys brought net of fees, less what sales took.
        assert_eq!(dec(&f["holdings"]), t.bought - t.sold, "{kind}: holdings {f}");
        // P&L: realized profit less the cost still held is what the trades returned.
        assert_eq!(dec(&f["realized_profit"]) - dec(&f["invested"]), t.received - t.spent, "{kind}: P&L {f}");
        // Positions hold the coins (but what is below the step, kept as dust).
        let positions = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
        let in_positions: Decimal = positions["open"].as_array().unwrap().iter().map(|p| dec(&p["quantity"])).sum();
        assert!(in_positions <= dec(&f["holdings"]) && dec(&f["holdings"]) - in_positions < dec!(0.00001), "{kind}");
        let closed: Decimal =
            positions["closed"]["items"].as_array().unwrap().iter().map(|p| dec(&p["realized_profit"])).sum();
        assert_eq!(closed, dec(&f["realized_profit"]), "{kind}: closed positions add up to the realized profit");
        if *kind == "dca" {
            let execs =
                app.get(&format!("/api/bots/{id}/executions?limit=200"), Some(&ana.access)).await.ok(200).clone();
            assert_eq!(execs["total"].as_u64(), Some(t.buys as u64), "one execution per filled purchase");
        }
        let entry = per_context.entry(context.clone()).or_default();
        entry.0 += t.received - t.spent;
        entry.1 += t.bought - t.sold;
    }
    // The paper account started with 100000 BRL and no BTC; only the bots traded on it.
    let (cash, coins) = per_context[&paper];
    let b = balance(&app, &ana, &paper).await;
    assert_eq!(dec(&b["quote"]["free"]) + dec(&b["quote"]["locked"]), dec!(100000) + cash, "paper BRL");
    assert_eq!(dec(&b["base"]["free"]) + dec(&b["base"]["locked"]), coins, "paper BTC");
    // The fake Binance account started with 1 BTC and 1000000 BRL.
    let (cash, coins) = per_context[&live];
    let b = balance(&app, &ana, &live).await;
    assert_eq!(dec(&b["quote"]["free"]) + dec(&b["quote"]["locked"]), dec!(1000000) + cash, "Binance BRL");
    assert_eq!(dec(&b["base"]["free"]) + dec(&b["base"]["locked"]), Decimal::ONE + coins, "Binance BTC");
}
