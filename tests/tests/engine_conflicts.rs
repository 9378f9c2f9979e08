//! Version conflicts on a bot between the engine's steps, on both stores: the bot's owner writes
//! it while the engine reads the exchange, and (through [`ConflictingBots`]) just before each of
//! the engine's own writes. Every write re-reads and retries three times; what still conflicts is
//! left for the next run, which completes it. Fills are applied exactly once, the concurrent
//! writes are kept, and an order is never sent twice or lost.
//!
//! [`ConflictingBots`]: botfleet_tests::engine::ConflictingBots

use application::engine::Workload;
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{
    assert_bought, assert_order, cost, fee, Trade, ALLOCATED, BLOCK, PURCHASE, QUANTITY,
};
use botfleet_tests::engine::{concurrent_name, EngineRig, Hook, Placement};
use domain::bots::{Bot, BotStatus, Command, Funds};
use domain::orders::OrderStatus;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

botfleet_tests::on_both_stores!(
    conflicts_during_a_sync_are_retried_and_the_fill_applied_once,
    a_sync_that_runs_out_of_retries_is_completed_by_the_next_run,
    a_fill_at_placement_survives_a_bot_write_that_runs_out_of_retries,
    a_conflict_while_blocking_funds_is_retried_and_the_order_sent_once,
    a_placement_that_runs_out_of_retries_is_never_sent_and_blocks_nothing,
    an_entry_is_not_sent_once_a_concurrent_write_paused_the_bot,
);

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
    let (bot, _, id) = rig.first_purchase().await;
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
    let (bot, order, id) = rig.first_purchase().await;
    let trade: Trade = ("t1", QUANTITY, dec!(100000));
    rig.exchange.fill(&id, trade.0, trade.1, trade.2, fee(&trade));
    rig.bots.arm(0, 4);

    let report = rig.engine.sync_orders().await.unwrap();

    assert_eq!(report.failed, 1, "four conflicts in a row: left for the next run");
    assert_bought(&rig.bot(bot.id).await, &[], BLOCK);
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!(report.failed, 0);
    assert_order(&rig.order(&order).await, OrderStatus::Filled, &[trade]);
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

async fn a_conflict_while_blocking_funds_is_retried_and_the_order_sent_once(store: Store) {
    let rig = EngineRig::new(store).await;
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    // The evaluation's write goes through; the placement's (blocking the funds) meets one conflict.
    rig.bots.arm(1, 1);

    let cycle = rig.engine.run(Workload::DcaExecution).await.unwrap();

    assert_eq!((cycle.orders, cycle.skipped, rig.bots.written()), (1, 0, 1), "{cycle:?}");
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status, OrderStatus::New, "{:?}", orders[0].error);
    assert_eq!(rig.exchange.placements().len(), 1);
    let after = rig.bot(bot.id).await;
    assert_eq!(after.name, concurrent_name(1));
    assert_eq!(after.pending.len(), 1);
    assert_bought(&after, &[], BLOCK);
    rig.finish().await;
}

async fn a_placement_that_runs_out_of_retries_is_never_sent_and_blocks_nothing(store: Store) {
    let rig = EngineRig::new(store).await;
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    rig.bots.arm(1, 4);

    rig.engine.run(Workload::DcaExecution).await.unwrap();

    let orders = rig.orders().await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status, OrderStatus::Rejected);
    assert!(rig.exchange.placements().is_empty(), "an order the bot does not know is never sent");
    let after = rig.bot(bot.id).await;
    assert_eq!(after.funds, Funds::new(ALLOCATED));
    assert!(after.pending.is_empty() && after.positions.is_empty(), "{after:?}");
    assert_eq!(rig.engine.sync_orders().await.unwrap().checked, 0);
    rig.finish().await;
}

async fn an_entry_is_not_sent_once_a_concurrent_write_paused_the_bot(store: Store) {
    let rig = EngineRig::new(store).await;
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    rig.bots.set_change(|bot, _| bot.command(Command::Pause, "paused by its owner", bot.updated_at).unwrap());
    rig.bots.arm(1, 1);

    rig.engine.run(Workload::DcaExecution).await.unwrap();

    let orders = rig.orders().await;
    assert_eq!((orders.len(), orders[0].status), (1, OrderStatus::Rejected));
    assert!(rig.exchange.placements().is_empty());
    let after = rig.bot(bot.id).await;
    assert_eq!(after.status, BotStatus::Paused);
    assert_eq!(after.funds, Funds::new(ALLOCATED));
    assert!(after.pending.is_empty() && after.positions.is_empty(), "{after:?}");
    rig.finish().await;
}
