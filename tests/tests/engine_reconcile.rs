//! `sync_strategy_balances` in the engine on both stores, against a scripted exchange whose base
//! balance the test sets. What can be corrected without a guess is: an order that ended while its
//! bot still counts it pending (a crash between the two writes) is applied, releasing its block,
//! and quote blocked by no order is released. Books that cannot be trusted (the account holds
//! less base than the bots' books, positions that do not add up to the holdings) pause the
//! running bots concerned with a reason saying what and what to do; the others are untouched.
//! Every expected figure is worked out here from the scripted trades.

use application::engine::{BalanceReport, UNTRUSTED_BOOKS};
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{assert_books, fee, ALLOCATED, PURCHASE, QUANTITY};
use botfleet_tests::engine::{EngineRig, PRICE};
use domain::bots::{Bot, BotStatus};
use domain::exchange::ExchangeOrderStatus;
use domain::orders::OrderStatus;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

botfleet_tests::on_both_stores!(
    ended_orders_and_blocks_no_order_holds_are_released,
    a_base_shortfall_pauses_the_bots_holding_that_base,
    positions_that_do_not_add_up_pause_the_bot,
);

fn counts(r: &BalanceReport) -> [u64; 4] {
    [r.contexts, r.unreadable, r.corrected, r.paused]
}

/// A DCA bot whose first purchase of 0.001 BTC at 100000 filled (fee 0.1 BRL), synced.
async fn holder(rig: &EngineRig) -> Bot {
    let (bot, _, reference) = rig.first_purchase().await;
    rig.exchange.fill(&reference, "t1", QUANTITY, PRICE, fee(&("t1", QUANTITY, PRICE)));
    rig.engine.sync_orders().await.unwrap();
    let bot = rig.bot(bot.id).await;
    assert_eq!((bot.funds.holdings, bot.funds.invested, bot.pending.len()), (QUANTITY, dec!(100.1), 0));
    bot
}

async fn ended_orders_and_blocks_no_order_holds_are_released(store: Store) {
    let rig = EngineRig::new(store).await;
    // The exchange cancelled the purchase and the order was stored so, but the bot was not written.
    let (crashed, order, reference) = rig.first_purchase().await;
    rig.exchange.end(&reference, ExchangeOrderStatus::Canceled);
    let mut stored = rig.order(&order).await;
    stored.status = OrderStatus::Canceled;
    rig.repos.orders.update(&stored).await.unwrap();
    // 50 BRL blocked by no order at all.
    let mut orphan = rig.dca_bot(PURCHASE, ALLOCATED).await;
    orphan.funds.block(dec!(50)).unwrap();
    let orphan = rig.repos.bots.update(&orphan).await.unwrap();

    let report = rig.engine.sync_strategy_balances().await.unwrap();

    assert_eq!(counts(&report), [1, 0, 2, 0], "{report:?}");
    assert!(report.untrusted.is_empty() && report.shortfalls.is_empty(), "{report:?}");
    for (id, said) in [(crashed.id, "1 ended order(s) applied"), (orphan.id, "released 50 BRL blocked")] {
        let bot = rig.bot(id).await;
        assert_eq!((bot.funds.available, bot.funds.blocked, bot.pending.len()), (ALLOCATED, Decimal::ZERO, 0));
        assert_eq!(bot.status, BotStatus::Running);
        assert_books(&bot);
        let records = rig.records(id, "books_corrected").await;
        assert_eq!(records.len(), 1);
        assert!(serde_json::to_string(&records[0].event).unwrap().contains(said), "{:?}", records[0]);
    }
    let settled = [rig.bot(crashed.id).await, rig.bot(orphan.id).await];
    let again = rig.engine.sync_strategy_balances().await.unwrap();
    assert_eq!(counts(&again), [1, 0, 0, 0], "{again:?}");
    assert_eq!([rig.bot(crashed.id).await, rig.bot(orphan.id).await], settled, "nothing is written twice");
    rig.finish().await;
}

async fn a_base_shortfall_pauses_the_bots_holding_that_base(store: Store) {
    let rig = EngineRig::new(store).await;
    let held = holder(&rig).await;
    let idle = rig.dca_bot(PURCHASE, ALLOCATED).await;
    assert_eq!(counts(&rig.engine.sync_strategy_balances().await.unwrap()), [1, 0, 0, 0]);

    // 0.0006 BTC of the 0.001 were sold outside botfleet.
    rig.exchange.set_base_balance(dec!(0.0003), dec!(0.0001));
    let report = rig.engine.sync_strategy_balances().await.unwrap();

    assert_eq!(counts(&report), [1, 0, 0, 1], "{report:?}");
    let line = "the exchange account holds 0.0004 BTC, its bots' books 0.001 BTC";
    assert_eq!(report.shortfalls, [line]);
    let paused = rig.bot(held.id).await;
    let reason = paused.status_reason.clone().unwrap();
    assert_eq!(paused.status, BotStatus::Paused);
    assert!(
        reason.starts_with(UNTRUSTED_BOOKS) && reason.contains(line) && reason.contains("then resume it"),
        "{reason}"
    );
    assert_eq!((paused.funds.clone(), paused.positions.clone()), (held.funds.clone(), held.positions.clone()));
    assert_eq!(rig.records(held.id, "books_untrusted").await.len(), 1);
    assert_eq!(rig.bot(idle.id).await, idle, "a bot holding no BTC is not written");

    let again = rig.engine.sync_strategy_balances().await.unwrap();
    assert_eq!((counts(&again), again.untrusted.len()), ([1, 0, 0, 0], 1), "listed, not paused twice: {again:?}");
    rig.finish().await;
}

async fn positions_that_do_not_add_up_pause_the_bot(store: Store) {
    let rig = EngineRig::new(store).await;
    let mut broken = holder(&rig).await;
    broken.funds.holdings += dec!(0.0005);
    let broken = rig.repos.bots.update(&broken).await.unwrap();

    let report = rig.engine.sync_strategy_balances().await.unwrap();

    assert_eq!(counts(&report), [1, 0, 0, 1], "{report:?}");
    let reason = rig.bot(broken.id).await.status_reason.unwrap();
    assert!(reason.contains("its positions hold 0.001 BTC (and 0 left over) but the books hold 0.0015"), "{reason}");
    rig.finish().await;
}
