//! Issue 20's stop-loss dust defect end to end on the paper exchange, on both stores: a SmartBot
//! holding dust has sales left open (a resting limit sell placed with `POST /api/bots/{id}/sell`,
//! and a hard stop's sale cut off by a crash between the placement steps, as killing the server
//! did) while the other lots' hard stops trigger on a falling price. Lots, dust and sizes are
//! computed in the test from the orders' fills; it checks that the stops sell what is free and
//! are never refused by the bot's own books, that dust joins at most one open sale, and that the
//! books equal the paper account's balances.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botfleet_tests::app::{settings, spawn_on_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{bot, bot_app, command, create_bot, price, run, trader, OPS_TOKEN};
use botfleet_tests::ledger::{assert_books_match_account, assert_none_rejected, fee, orders_of};
use domain::exchange::OrderSide;
use domain::orders::{Order, OrderStatus};
use domain::subscriptions::Plan;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(stops_sell_what_is_free_beside_open_sales_and_dust_joins_one);

/// Both servers hold leases under one name, as one instance restarted after a crash would.
const INSTANCE: &str = "dust-e2e";
/// The market's step (BTC-BRL on Mercado Bitcoin).
const STEP: Decimal = dec!(0.00000001);

async fn order(app: &TestApp, user: &Session, bot: &str, side: &str, body: Value) -> Value {
    app.post(&format!("/api/bots/{bot}/{side}"), Some(&user.access), &body).await.ok(201)["order"].clone()
}

/// Base a buy brought, net of its BTC fee: the lot it opened.
fn lot(buy: &Order) -> Decimal {
    buy.filled_quantity - fee(buy, "BTC")
}

/// What a sale asks: its filled quantity, or the quantity sent while it has not filled.
fn asked(sale: &Order) -> Decimal {
    match sale.size {
        domain::exchange::OrderSize::Quantity(q) => q,
        domain::exchange::OrderSize::QuoteAmount(_) => panic!("a sale is sized by quantity"),
    }
}

/// Runs the stop-loss workflow on a second server over the same store whose placements stop
/// after the bot's funds are locked (`after_funds_blocked:hang`): the sale stays open in the
/// books and never reaches the exchange, as when the process dies there.
async fn crash_mid_placement(store: Store, repos: &Repositories, user: &Session, bot: &str) {
    let extra = [
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
        ("BOTFLEET_INSTANCE_ID", INSTANCE),
        ("BOTFLEET_TEST_FAILPOINT", "after_funds_blocked:hang"),
    ];
    let crashing = Arc::new(spawn_on_repositories(settings(store, &extra), repos).await);
    price(&crashing, &user.access, dec!(99000)).await;
    let runner = crashing.clone();
    let path = "/api/system/workflows/smart_bot_check_situation/run";
    let hung = tokio::spawn(async move { runner.post(path, Some(OPS_TOKEN), &json!({})).await.status });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // R's resting sale and H's.
        if repos.bots.find(bot.parse().unwrap()).await.unwrap().pending.len() >= 2 {
            break;
        }
        assert!(Instant::now() < deadline && !hung.is_finished(), "the placement never reached the failpoint");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    hung.abort();
}

async fn stops_sell_what_is_free_beside_open_sales_and_dust_joins_one(store: Store) {
    let (app, repos) = bot_app(store, &[("BOTFLEET_INSTANCE_ID", INSTANCE)]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    price(&app, &ana.access, dec!(100000)).await;
    // The breaker stays out of it: three losing trades in a row would pause the bot mid-scenario.
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "3000",
        "max_open_positions": 5, "risk": {"stop_loss_hard_percent": "0.3"}, "circuit_breaker": {"preset": "off"}});
    let id = create_bot(&app, &ana, &ctx, "smart", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &id, "start").await;

    // Five lots: R rests for sale, H's stop is cut off mid-placement, S1 and S2 stop out, and X
    // is sold but for a remainder below the market's minimum quantity: dust.
    for _ in 0..5 {
        order(&app, &ana, &id, "buy", json!({"type": "market", "quote_amount": "500"})).await;
    }
    let open = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200)["open"].clone();
    let ids: Vec<String> = open.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    let buys: Vec<Order> = orders_of(&repos, &ana, &id).await;
    let lots: Vec<Decimal> = buys.iter().map(lot).collect();
    let part = ((lots[4] - dec!(0.000005)) / STEP).floor() * STEP;
    order(&app, &ana, &id, "sell", json!({"type": "market", "position_id": ids[4], "quantity": part.to_string()}))
        .await;
    let dust = lots[4] - part;
    assert!(dust > STEP && dust < dec!(0.00001), "a remainder below the minimum quantity: {dust}");
    let resting = json!({"type": "limit", "position_id": ids[0], "price": "120000"});
    assert_eq!(order(&app, &ana, &id, "sell", resting).await["status"], "new");

    // A 1% fall: every lot's 0.3% hard stop triggers. The first stop's sale is left open.
    crash_mid_placement(store, &repos, &ana, &id).await;
    price(&app, &ana.access, dec!(99000)).await;
    run(&app, "smart_bot_check_situation").await;

    let orders = orders_of(&repos, &ana, &id).await;
    assert_none_rejected(&orders);
    let sales: Vec<&Order> = orders.iter().filter(|o| o.side == OrderSide::Sell).skip(1).collect();
    let statuses: Vec<OrderStatus> = sales.iter().map(|o| o.status).collect();
    use OrderStatus::{Filled, New, Pending};
    assert_eq!(statuses, [New, Pending, Filled, Filled], "R rests, H is cut off, S1 and S2 stop out");
    let held = lots[..4].iter().sum::<Decimal>() + dust;
    let locked_or_sold: Decimal = sales.iter().map(|s| asked(s)).sum();
    assert!(locked_or_sold <= held, "sales ask {locked_or_sold}, more than the lots and dust {held}");
    // Flooring to the step leaves each sale's remainder (less than a step) to the next: only a
    // sale asking a step or more beyond its lot carries the dust.
    let with_dust = sales.iter().zip(&lots).filter(|(s, lot)| asked(s) > **lot + STEP).count();
    assert!(with_dust <= 1, "dust joined {with_dust} open sales: {sales:?} for lots {lots:?}");

    let positions = app.get(&format!("/api/bots/{id}/positions"), Some(&ana.access)).await.ok(200).clone();
    let stopped = positions["closed"]["items"].as_array().unwrap().iter().filter(|p| p["exit_reason"] == "stop_loss");
    assert_eq!(stopped.count(), 2, "S1 and S2 stopped out: {positions}");
    assert_eq!(bot(&app, &ana, &id).await["pending_orders"], 2, "R and H still being sold");
    assert_books_match_account(&app, &repos, &ana, (&ctx, &id), dec!(100000)).await;
}
