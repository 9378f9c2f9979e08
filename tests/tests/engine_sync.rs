//! The engine's sync on both stores, against a scripted exchange: partial fills reported over
//! several reads (repeated and stale reports included), a cancel after a partial fill, an expiry,
//! lost placement answers (the order exists, or never arrived and is rejected after the grace
//! period), and version conflicts on the bot between engine steps. After each step: the order's
//! status and totals, fills deduplicated by trade id, the bot's books, and that no client order id
//! reached the exchange twice.

use botfleet_tests::app::Store;
use botfleet_tests::engine::{concurrent_name, EngineRig, Hook, Placement};
use domain::bots::{Bot, Funds};
use domain::exchange::{ExchangeOrderStatus, OrderRef, OrderSize};
use domain::orders::{Order, OrderStatus};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use application::engine::{Workload, PENDING_GRACE};

botfleet_tests::on_both_stores!(
    partial_fills_are_applied_once_each,
    a_cancel_after_a_partial_fill_releases_the_rest,
    an_expired_order_releases_everything_and_the_next_period_buys_anew,
    a_lost_answer_is_resolved_by_client_order_id_and_never_resent,
    an_order_the_exchange_never_received_is_rejected_after_the_grace,
    conflicts_during_a_sync_are_retried_and_the_fill_applied_once,
    a_sync_that_runs_out_of_retries_is_completed_by_the_next_run,
    a_fill_at_placement_survives_a_bot_write_that_runs_out_of_retries,
);

const PURCHASE: Decimal = dec!(100);
const ALLOCATED: Decimal = dec!(1000);
/// The DCA bot blocks its purchase plus a 1% margin for a market order.
const BLOCK: Decimal = dec!(101);
/// 100 BRL at 100000 BRL/BTC.
const QUANTITY: Decimal = dec!(0.001);

/// A trade as the test scripts it: id, quantity, price; the fee is 0.1% of its value, in BRL.
type Trade = (&'static str, Decimal, Decimal);

fn fee(t: &Trade) -> Decimal {
    t.1 * t.2 / dec!(1000)
}

/// What `trades` cost the bot, fees included.
fn cost(trades: &[Trade]) -> Decimal {
    trades.iter().map(|t| t.1 * t.2 + fee(t)).sum()
}

/// Books that balance, and blocked funds that are exactly what the pending orders still hold.
fn assert_books(bot: &Bot) {
    assert!(bot.funds.is_consistent(), "books out of balance: {:?}", bot.funds);
    assert_eq!(bot.funds.blocked, bot.pending.iter().map(|p| p.blocked).sum::<Decimal>(), "{:?}", bot.pending);
}

/// The bot's books after buying `trades` while `blocked` is still held for its order.
fn assert_bought(bot: &Bot, trades: &[Trade], blocked: Decimal) {
    let spent = cost(trades);
    let quantity: Decimal = trades.iter().map(|t| t.1).sum();
    assert_eq!(bot.funds.invested, spent);
    assert_eq!(bot.funds.blocked, blocked);
    assert_eq!(bot.funds.available, ALLOCATED - spent - blocked);
    assert_eq!(bot.funds.holdings, quantity);
    assert_books(bot);
}

fn assert_order(order: &Order, status: OrderStatus, trades: &[Trade]) {
    assert_eq!(order.status, status);
    assert_eq!(order.filled_quantity, trades.iter().map(|t| t.1).sum::<Decimal>());
    assert_eq!(order.filled_quote, trades.iter().map(|t| t.1 * t.2).sum::<Decimal>());
    let ids: Vec<&str> = order.fills.iter().map(|f| f.trade_id.as_str()).collect();
    assert_eq!(ids, trades.iter().map(|t| t.0).collect::<Vec<_>>(), "fills are journaled once each");
    let fees: Decimal = trades.iter().map(fee).sum();
    assert_eq!(order.fees.get("BRL").copied().unwrap_or_default(), fees);
}

/// A started DCA bot whose first purchase was just sent; returns it, its order and its reference.
async fn first_purchase(rig: &EngineRig) -> (Bot, Order, OrderRef) {
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    let cycle = rig.engine.run(Workload::DcaExecution).await.unwrap();
    assert_eq!((cycle.bots, cycle.orders), (1, 1), "{cycle:?}");
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 1);
    let order = orders[0].clone();
    assert_eq!((order.bot_id, order.size), (Some(bot.id), OrderSize::Quantity(QUANTITY)));
    let placed = rig.bot(bot.id).await;
    assert_eq!(placed.pending.len(), 1);
    assert_bought(&placed, &[], BLOCK);
    let reference = OrderRef::Client(order.client_order_id.clone());
    (placed, order, reference)
}

async fn order_of(rig: &EngineRig, order: &Order) -> Order {
    rig.repos.orders.get_by_client_id(&order.client_order_id).await.unwrap()
}

async fn partial_fills_are_applied_once_each(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = first_purchase(&rig).await;
    assert_eq!(order.status, OrderStatus::New);
    let trades: [Trade; 3] =
        [("t1", dec!(0.0004), dec!(100000)), ("t2", dec!(0.0003), dec!(100100)), ("t3", dec!(0.0003), dec!(100200))];

    rig.exchange.fill(&id, trades[0].0, trades[0].1, trades[0].2, fee(&trades[0]));
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);
    assert_order(&order_of(&rig, &order).await, OrderStatus::PartiallyFilled, &trades[..1]);
    let after_one = rig.bot(bot.id).await;
    assert_bought(&after_one, &trades[..1], BLOCK - cost(&trades[..1]));
    assert_eq!(after_one.pending[0].filled_quantity, trades[0].1);

    // The same trade reported again changes nothing, not even the bot's version.
    rig.exchange.repeat_fill(&id, "t1");
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 0);
    assert_order(&order_of(&rig, &order).await, OrderStatus::PartiallyFilled, &trades[..1]);
    assert_eq!(rig.bot(bot.id).await, after_one);

    // A stale report (read before t2) arriving after t2 happened is no step back; the next read is.
    let stale = rig.exchange.snapshot(&id);
    rig.exchange.fill(&id, trades[1].0, trades[1].1, trades[1].2, fee(&trades[1]));
    rig.exchange.answer_once(&order.client_order_id, stale);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 0);
    assert_eq!(rig.bot(bot.id).await, after_one);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);
    assert_order(&order_of(&rig, &order).await, OrderStatus::PartiallyFilled, &trades[..2]);
    assert_bought(&rig.bot(bot.id).await, &trades[..2], BLOCK - cost(&trades[..2]));

    rig.exchange.fill(&id, trades[2].0, trades[2].1, trades[2].2, fee(&trades[2]));
    rig.exchange.repeat_fill(&id, "t2");
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);
    let filled = order_of(&rig, &order).await;
    assert_order(&filled, OrderStatus::Filled, &trades);
    assert_eq!(filled.average_fill_price, Some(filled.filled_quote / QUANTITY));
    let done = rig.bot(bot.id).await;
    assert!(done.pending.is_empty());
    assert_bought(&done, &trades, Decimal::ZERO);
    assert_eq!((done.positions.len(), done.positions[0].quantity), (1, QUANTITY));
    assert_eq!(done.positions[0].cost, cost(&trades));
    assert_eq!(rig.records(bot.id, "execution").await.len(), 1);

    assert_eq!(rig.engine.sync_orders().await.unwrap().checked, 0, "nothing is open any more");
    assert_eq!(rig.bot(bot.id).await, done);
    assert_eq!(rig.exchange.placements().len(), 1);
    rig.finish().await;
}

async fn a_cancel_after_a_partial_fill_releases_the_rest(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = first_purchase(&rig).await;
    let trades: [Trade; 2] = [("t1", dec!(0.0004), dec!(100000)), ("t2", dec!(0.0002), dec!(100050))];
    rig.exchange.fill(&id, trades[0].0, trades[0].1, trades[0].2, fee(&trades[0]));
    rig.engine.sync_orders().await.unwrap();
    assert_bought(&rig.bot(bot.id).await, &trades[..1], BLOCK - cost(&trades[..1]));

    // One more trade and the cancel, learnt in the same read.
    rig.exchange.fill(&id, trades[1].0, trades[1].1, trades[1].2, fee(&trades[1]));
    rig.exchange.end(&id, ExchangeOrderStatus::Canceled);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);

    assert_order(&order_of(&rig, &order).await, OrderStatus::Canceled, &trades);
    let after = rig.bot(bot.id).await;
    assert!(after.pending.is_empty());
    assert_bought(&after, &trades, Decimal::ZERO);
    assert_eq!(after.positions[0].quantity, dec!(0.0006));
    assert_eq!(rig.records(bot.id, "execution").await.len(), 1);
    assert_eq!(rig.engine.sync_orders().await.unwrap().checked, 0);
    assert_eq!(rig.bot(bot.id).await, after);
    rig.finish().await;
}

async fn an_expired_order_releases_everything_and_the_next_period_buys_anew(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = first_purchase(&rig).await;
    rig.exchange.end(&id, ExchangeOrderStatus::Expired);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);

    assert_order(&order_of(&rig, &order).await, OrderStatus::Expired, &[]);
    let after = rig.bot(bot.id).await;
    assert_eq!(after.funds, Funds::new(ALLOCATED));
    assert!(after.pending.is_empty() && after.positions.is_empty(), "{after:?}");
    assert!(rig.records(bot.id, "execution").await.is_empty());

    rig.engine.run(Workload::DcaExecution).await.unwrap();
    assert_eq!(rig.exchange.placements().len(), 1, "not due again within the hour");
    rig.clock.advance(time::Duration::hours(1));
    assert_eq!(rig.engine.run(Workload::DcaExecution).await.unwrap().orders, 1);
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 2);
    assert_ne!(orders[1].client_order_id, order.client_order_id);
    assert_eq!(rig.exchange.placements().len(), 2);
    rig.assert_no_id_sent_twice();
    rig.finish().await;
}

async fn a_lost_answer_is_resolved_by_client_order_id_and_never_resent(store: Store) {
    let rig = EngineRig::new(store).await;
    rig.exchange.script(Placement::Lost { exists: true });
    let (bot, order, id) = first_purchase(&rig).await;
    assert_eq!((order.status, order.exchange_order_id.clone()), (OrderStatus::Pending, None));
    rig.engine.run(Workload::DcaExecution).await.unwrap();

    // Found by its client order id, even long after the grace period.
    rig.clock.advance(PENDING_GRACE * 3);
    let trade: Trade = ("t1", QUANTITY, dec!(100000));
    rig.exchange.fill(&id, trade.0, trade.1, trade.2, fee(&trade));
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!((report.changed, report.never_sent), (1, 0));

    let found = order_of(&rig, &order).await;
    assert_order(&found, OrderStatus::Filled, &[trade]);
    assert_eq!(found.exchange_order_id, Some(rig.exchange.snapshot(&id).exchange_order_id));
    let after = rig.bot(bot.id).await;
    assert!(after.pending.is_empty());
    assert_bought(&after, &[trade], Decimal::ZERO);
    assert_eq!(rig.exchange.placements().len(), 1);
    rig.finish().await;
}

async fn an_order_the_exchange_never_received_is_rejected_after_the_grace(store: Store) {
    let rig = EngineRig::new(store).await;
    rig.exchange.script(Placement::Lost { exists: false });
    let (bot, order, _) = first_purchase(&rig).await;

    for wait in [time::Duration::ZERO, PENDING_GRACE] {
        rig.clock.advance(wait);
        let report = rig.engine.sync_orders().await.unwrap();
        assert_eq!((report.checked, report.never_sent), (1, 0), "within the grace period");
        assert_eq!(order_of(&rig, &order).await.status, OrderStatus::Pending);
        assert_bought(&rig.bot(bot.id).await, &[], BLOCK);
    }
    rig.clock.advance(time::Duration::seconds(1));
    assert_eq!(rig.engine.sync_orders().await.unwrap().never_sent, 1);

    let rejected = order_of(&rig, &order).await;
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert!(rejected.error.is_some());
    let after = rig.bot(bot.id).await;
    assert_eq!(after.funds, Funds::new(ALLOCATED));
    assert!(after.pending.is_empty() && after.positions.is_empty(), "{after:?}");
    assert_eq!((rig.exchange.order_calls(), rig.exchange.placements().len()), (3, 1));
    assert_eq!(rig.engine.sync_orders().await.unwrap().checked, 0);
    rig.finish().await;
}

/// A hook that renames `bot` (its owner editing it) while the engine reads the exchange.
fn rename_during_reads(rig: &EngineRig, bot: &Bot) -> Hook {
    let (bots, id) = (rig.repos.bots.clone(), bot.id);
    std::sync::Arc::new(move || {
        let bots = bots.clone();
        Box::pin(async move {
            let mut theirs = bots.find(id).await.unwrap();
            theirs.name = "renamed during a read".into();
            bots.update(&theirs).await.unwrap();
        })
    })
}

async fn conflicts_during_a_sync_are_retried_and_the_fill_applied_once(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, _, id) = first_purchase(&rig).await;
    let trades: [Trade; 2] = [("t1", dec!(0.0004), dec!(100000)), ("t2", dec!(0.0006), dec!(100000))];
    rig.exchange.fill(&id, trades[0].0, trades[0].1, trades[0].2, fee(&trades[0]));
    rig.exchange.on_order(Some(rename_during_reads(&rig, &bot)));
    rig.bots.arm(0, 3);

    let report = rig.engine.sync_orders().await.unwrap();

    assert_eq!((report.changed, report.failed), (1, 0), "three conflicts, and the fourth attempt wins");
    assert_eq!((rig.bots.written(), rig.bots.armed()), (3, 0));
    let after = rig.bot(bot.id).await;
    assert_eq!(after.name, concurrent_name(3), "the concurrent writes are kept");
    assert_eq!(after.version, bot.version + 1 + 3 + 1, "one read-time write, three racing writes, the engine's");
    assert_bought(&after, &trades[..1], BLOCK - cost(&trades[..1]));

    rig.exchange.on_order(None);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 0);
    assert_eq!(rig.bot(bot.id).await, after);
    rig.exchange.fill(&id, trades[1].0, trades[1].1, trades[1].2, fee(&trades[1]));
    rig.engine.sync_orders().await.unwrap();
    assert_bought(&rig.bot(bot.id).await, &trades, Decimal::ZERO);
    rig.finish().await;
}

async fn a_sync_that_runs_out_of_retries_is_completed_by_the_next_run(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = first_purchase(&rig).await;
    let trade: Trade = ("t1", QUANTITY, dec!(100000));
    rig.exchange.fill(&id, trade.0, trade.1, trade.2, fee(&trade));
    rig.bots.arm(0, 4);

    let report = rig.engine.sync_orders().await.unwrap();

    assert_eq!(report.failed, 1, "four conflicts in a row: left for the next run");
    assert_bought(&rig.bot(bot.id).await, &[], BLOCK);
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!(report.failed, 0);
    assert_order(&order_of(&rig, &order).await, OrderStatus::Filled, &[trade]);
    let after = rig.bot(bot.id).await;
    assert!(after.pending.is_empty(), "{:?}", after.pending);
    assert_bought(&after, &[trade], Decimal::ZERO);
    assert_eq!(after.name, concurrent_name(4));
    rig.finish().await;
}

async fn a_fill_at_placement_survives_a_bot_write_that_runs_out_of_retries(store: Store) {
    let rig = EngineRig::new(store).await;
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    let trade: Trade = ("t1", QUANTITY, dec!(100000));
    rig.exchange.script(Placement::Fill { trade_id: trade.0.into(), price: trade.2, fee: fee(&trade) });
    // The evaluation's write and the placement's go through; the four writes of the fill conflict.
    rig.bots.arm(2, 4);

    let cycle = rig.engine.run(Workload::DcaExecution).await.unwrap();

    assert_eq!(cycle.skipped, 1, "{cycle:?}");
    assert_bought(&rig.bot(bot.id).await, &[], BLOCK);
    rig.engine.sync_orders().await.unwrap();
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 1);
    assert_order(&orders[0], OrderStatus::Filled, &[trade]);
    let after = rig.bot(bot.id).await;
    assert!(after.pending.is_empty(), "{:?}", after.pending);
    assert_bought(&after, &[trade], Decimal::ZERO);
    assert_eq!(rig.exchange.placements().len(), 1);
    rig.finish().await;
}
