//! Issue 20's channel bot dust defects end to end on the paper exchange, on both stores: the
//! issue's tick sequences (fees 0.1%, in BTC on buys and in BRL on sales; 20% of 2000 BRL per
//! buy; base 100000, top 110000, buy +2%, sell -2%; fills at the price set, without slippage)
//! through the real server, one channel cycle per tick. From the orders alone the test computes
//! each position's entry and minimum exit price and the bot's books, and checks: no order refused
//! (by the bot's books or the exchange), every channel sale at or above its position's minimum,
//! no closed position below zero, and the books equal to the paper account's balances.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::bots::{bot, bot_app, command, create_bot, dec, price, run, trader};
use botfleet_tests::ledger::{assert_books_match_account, assert_none_rejected, at_second_start, fee, orders_of};
use domain::exchange::OrderSide;
use domain::orders::Order;
use domain::subscriptions::Plan;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    a_resting_sale_never_blocks_the_next_positions_sale,
    a_sale_at_the_minimum_never_books_a_loss_from_dust,
);

/// The market: orders fill at the price set (no slippage; the narrowest spread, a tick
/// either side), so the positions hold the quantities that found the defects; the price set
/// holds still until the next tick (no replayed drift, however long a cycle takes under load).
const EXACT: &[(&str, &str)] = &[
    ("BOTFLEET_PAPER_SLIPPAGE_BPS", "0"),
    ("BOTFLEET_PAPER_SPREAD_BPS", "0"),
    ("BOTFLEET_PAPER_HOLD_SET_PRICES", "true"),
];

/// The sale fee the bot counts in its minimum (the paper exchange's 0.1%).
const SELL_FEE: Decimal = dec!(0.001);

fn channel(min_profit: &str, max_positions: u32) -> Value {
    json!({"base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": min_profit, "capital_percent": "20",
        "allocated_balance": "2000", "sell_fee_percent": "0.1", "max_open_positions": max_positions})
}

/// One 30 s cycle at `at`: the price, the channel workflow, the paper exchange matching resting
/// orders, then sync applying their fills to the bot.
async fn tick(app: &TestApp, user: &Session, at: Decimal) {
    at_second_start().await;
    price(app, &user.access, at).await;
    run(app, "channel_bots").await;
    run(app, "paper_matching").await;
    run(app, "sync_orders").await;
}

/// A channel bot of `config`, started and driven through `ticks`; returns its id.
async fn drive(app: &TestApp, user: &Session, context: &str, config: Value, ticks: &[Decimal]) -> String {
    let id = create_bot(app, user, context, "channel", config).await["id"].as_str().unwrap().to_owned();
    command(app, user, &id, "start").await;
    for at in ticks {
        tick(app, user, *at).await;
    }
    id
}

/// Asserts that every order was decided at a price of `ticks`: the sequence was replayed as
/// written (the prices set hold still, so no cycle reads a drifted one).
fn assert_decided_on_ticks(orders: &[Order], ticks: &[Decimal]) {
    for o in orders {
        let seen: Decimal = o.creation.parameters["price"].parse().unwrap();
        assert!(ticks.contains(&seen), "an order decided at {seen}, not a tick of the sequence: {o:?}");
    }
}

fn opened_at(position: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(position["opened_at"].as_str().unwrap(), &Rfc3339).unwrap()
}

/// Checks every closed position against figures computed from the orders: the k-th position
/// opened is the k-th filled buy (a channel position is one buy), whose entry is what it cost
/// over what it brought net of fees; its sale is the sell whose net proceeds it booked, and sold
/// at or above entry x (1 + minimum profit) / (1 - sale fee). Returns how many closed.
fn assert_sales_at_or_above_minimum(orders: &[Order], positions: &Value, min_profit: Decimal) -> usize {
    let filled = |side| orders.iter().filter(move |o| o.side == side && o.filled_quantity > Decimal::ZERO);
    let buys: Vec<&Order> = filled(OrderSide::Buy).collect();
    let mut all: Vec<&Value> = positions["open"].as_array().unwrap().iter().collect();
    all.extend(positions["closed"]["items"].as_array().unwrap());
    all.sort_by_key(|p| opened_at(p));
    assert_eq!(all.len(), buys.len(), "one position per buy: {positions}");
    let mut closed = 0;
    for (position, buy) in all.iter().zip(&buys).filter(|(p, _)| p["status"] == "closed") {
        let entry = (buy.filled_quote + fee(buy, "BRL")) / (buy.filled_quantity - fee(buy, "BTC"));
        let minimum = entry * (Decimal::ONE + min_profit / dec!(100)) / (Decimal::ONE - SELL_FEE);
        let proceeds = dec(&position["proceeds"]);
        let sale = filled(OrderSide::Sell)
            .find(|s| s.filled_quote - fee(s, "BRL") == proceeds)
            .unwrap_or_else(|| panic!("no sale brought {proceeds}: {position}"));
        let sold_at = sale.filled_quote / sale.filled_quantity;
        assert!(sold_at >= minimum, "sold at {sold_at} below its minimum {minimum}: {position}");
        assert_eq!(position["exit_reason"], "channel");
        let profit = dec(&position["realized_profit"]);
        assert!(profit >= Decimal::ZERO, "a channel sale at or above its minimum booked {profit}: {position}");
        closed += 1;
    }
    closed
}

/// A channel bot replayed on a fresh server: what the test reads back.
struct Replay {
    app: TestApp,
    repos: Repositories,
    user: Session,
    context: String,
    bot: String,
    /// Open and closed positions.
    positions: Value,
    /// Positions closed, each checked against its minimum.
    closed: usize,
}

/// A channel bot of `min_profit` % and `max_positions` driven through `ticks` on a fresh server
/// on `store`, then the checks every sequence shares: each order decided at a tick, none
/// refused, each sale at or above its position's minimum and never below zero.
async fn replay(store: Store, (min_profit, max_positions): (&str, u32), ticks: &[&str]) -> Replay {
    let ticks: Vec<Decimal> = ticks.iter().map(|t| t.parse().unwrap()).collect();
    let (app, repos) = bot_app(store, EXACT).await;
    let (user, context) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let bot = drive(&app, &user, &context, channel(min_profit, max_positions), &ticks).await;
    let orders = orders_of(&repos, &user, &bot).await;
    assert_decided_on_ticks(&orders, &ticks);
    assert_none_rejected(&orders);
    let path = format!("/api/bots/{bot}/positions?limit=100");
    let positions = app.get(&path, Some(&user.access)).await.ok(200).clone();
    let closed = assert_sales_at_or_above_minimum(&orders, &positions, min_profit.parse().unwrap());
    Replay { app, repos, user, context, bot, positions, closed }
}

impl Replay {
    async fn assert_books_match_account(&self) {
        let ids = (self.context.as_str(), self.bot.as_str());
        assert_books_match_account(&self.app, &self.repos, &self.user, ids, dec!(100000)).await;
    }
}

async fn a_resting_sale_never_blocks_the_next_positions_sale(store: Store) {
    // The ticks, then far above every minimum: every scheduled sale sells, none stuck
    // behind a resting one.
    let ticks = ["101000", "102000", "112000", "109000", "101000", "109939", "110500", "101000", "102000"];
    let r = replay(store, ("0.5", 2), &[&ticks[..], &["110500", "108000", "130000"]].concat()).await;
    let open = r.positions["open"].as_array().unwrap();
    let scheduled: Vec<_> = open.iter().filter(|p| p["status"] == "scheduled").collect();
    assert!(scheduled.is_empty(), "scheduled sales left unsold far above their minimum: {scheduled:?}");
    assert!(r.closed >= 2, "both positions of the sequence sold: {}", r.positions);
    r.assert_books_match_account().await;
}

async fn a_sale_at_the_minimum_never_books_a_loss_from_dust(store: Store) {
    // The ticks, then two more trades' worth.
    let ticks = ["101000", "109021", "115000", "112000", "101000", "102276", "110000", "101500", "102480.86"];
    let r = replay(store, ("0", 1), &[&ticks[..], &["130000", "120000"]].concat()).await;
    assert!(r.closed >= 2, "two trades: {}", r.positions);
    let breaker = &bot(&r.app, &r.user, &r.bot).await["circuit_breaker"];
    assert_eq!(breaker["consecutive_losses"], 0, "no losing trade reached the breaker: {breaker}");
    r.assert_books_match_account().await;
}
