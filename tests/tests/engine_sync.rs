//! The engine's sync on both stores, against a scripted exchange: partial fills reported over
//! several reads (repeated and stale reports included), a cancel after a partial fill, an expiry,
//! and lost placement answers (the order exists, or never arrived and is rejected after the grace
//! period). After each step: the order's status and totals, fills deduplicated by trade id, the
//! bot's books, and that no client order id reached the exchange twice. Version conflicts are in
//! engine_conflicts.rs.

use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{assert_bought, assert_order, cost, fee, Trade, ALLOCATED, BLOCK, QUANTITY};
use botfleet_tests::engine::{EngineRig, Placement};
use domain::bots::Funds;
use domain::exchange::ExchangeOrderStatus;
use domain::orders::OrderStatus;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use application::engine::{Workload, PENDING_GRACE};

botfleet_tests::on_both_stores!(
    partial_fills_are_applied_once_each,
    a_cancel_after_a_partial_fill_releases_the_rest,
    an_expired_order_releases_everything_and_the_next_period_buys_anew,
    a_lost_answer_is_resolved_by_client_order_id_and_never_resent,
    an_order_the_exchange_never_received_is_rejected_after_the_grace,
);

async fn partial_fills_are_applied_once_each(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = rig.first_purchase().await;
    assert_eq!(order.status, OrderStatus::New);
    let trades: [Trade; 3] =
        [("t1", dec!(0.0004), dec!(100000)), ("t2", dec!(0.0003), dec!(100100)), ("t3", dec!(0.0003), dec!(100200))];

    rig.exchange.fill(&id, trades[0].0, trades[0].1, trades[0].2, fee(&trades[0]));
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);
    assert_order(&rig.order(&order).await, OrderStatus::PartiallyFilled, &trades[..1]);
    let after_one = rig.bot(bot.id).await;
    assert_bought(&after_one, &trades[..1], BLOCK - cost(&trades[..1]));
    assert_eq!(after_one.pending[0].filled_quantity, trades[0].1);

    // The same trade reported again changes nothing, not even the bot's version.
    rig.exchange.repeat_fill(&id, "t1");
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 0);
    assert_order(&rig.order(&order).await, OrderStatus::PartiallyFilled, &trades[..1]);
    assert_eq!(rig.bot(bot.id).await, after_one);

    // A stale report (read before t2) arriving after t2 happened is no step back; the next read is.
    let stale = rig.exchange.snapshot(&id);
    rig.exchange.fill(&id, trades[1].0, trades[1].1, trades[1].2, fee(&trades[1]));
    rig.exchange.answer_once(&order.client_order_id, stale);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 0);
    assert_eq!(rig.bot(bot.id).await, after_one);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);
    assert_order(&rig.order(&order).await, OrderStatus::PartiallyFilled, &trades[..2]);
    assert_bought(&rig.bot(bot.id).await, &trades[..2], BLOCK - cost(&trades[..2]));

    rig.exchange.fill(&id, trades[2].0, trades[2].1, trades[2].2, fee(&trades[2]));
    rig.exchange.repeat_fill(&id, "t2");
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);
    let filled = rig.order(&order).await;
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
    let (bot, order, id) = rig.first_purchase().await;
    let trades: [Trade; 2] = [("t1", dec!(0.0004), dec!(100000)), ("t2", dec!(0.0002), dec!(100050))];
    rig.exchange.fill(&id, trades[0].0, trades[0].1, trades[0].2, fee(&trades[0]));
    rig.engine.sync_orders().await.unwrap();
    assert_bought(&rig.bot(bot.id).await, &trades[..1], BLOCK - cost(&trades[..1]));

    // One more trade and the cancel, learnt in the same read.
    rig.exchange.fill(&id, trades[1].0, trades[1].1, trades[1].2, fee(&trades[1]));
    rig.exchange.end(&id, ExchangeOrderStatus::Canceled);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);

    assert_order(&rig.order(&order).await, OrderStatus::Canceled, &trades);
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
    let (bot, order, id) = rig.first_purchase().await;
    rig.exchange.end(&id, ExchangeOrderStatus::Expired);
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);

    assert_order(&rig.order(&order).await, OrderStatus::Expired, &[]);
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
    let (bot, order, id) = rig.first_purchase().await;
    assert_eq!((order.status, order.exchange_order_id.clone()), (OrderStatus::Pending, None));
    rig.engine.run(Workload::DcaExecution).await.unwrap();

    // Found by its client order id, even long after the grace period.
    rig.clock.advance(PENDING_GRACE * 3);
    let trade: Trade = ("t1", QUANTITY, dec!(100000));
    rig.exchange.fill(&id, trade.0, trade.1, trade.2, fee(&trade));
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!((report.changed, report.never_sent), (1, 0));

    let found = rig.order(&order).await;
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
    let (bot, order, _) = rig.first_purchase().await;

    for wait in [time::Duration::ZERO, PENDING_GRACE] {
        rig.clock.advance(wait);
        let report = rig.engine.sync_orders().await.unwrap();
        assert_eq!((report.checked, report.never_sent), (1, 0), "within the grace period");
        assert_eq!(rig.order(&order).await.status, OrderStatus::Pending);
        assert_bought(&rig.bot(bot.id).await, &[], BLOCK);
    }
    rig.clock.advance(time::Duration::seconds(1));
    assert_eq!(rig.engine.sync_orders().await.unwrap().never_sent, 1);

    let rejected = rig.order(&order).await;
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert!(rejected.error.is_some());
    let after = rig.bot(bot.id).await;
    assert_eq!(after.funds, Funds::new(ALLOCATED));
    assert!(after.pending.is_empty() && after.positions.is_empty(), "{after:?}");
    assert_eq!((rig.exchange.order_calls(), rig.exchange.placements().len()), (3, 1));
    assert_eq!(rig.engine.sync_orders().await.unwrap().checked, 0);
    rig.finish().await;
}
