//! Orders the exchange forgot, on both stores, against a scripted exchange: an acknowledged order
//! that the exchange later answers "not found" stays open (its bot untouched, the streak noted in
//! `missing_since`) while it is younger than the forgotten age or the streak is shorter than an
//! hour; a single "not found" on an old order never ends it. Then sync (and start-up recovery)
//! ends it as canceled and flagged `forgotten`, what filled stays filled and in the bot's position,
//! and the bot releases exactly what was still blocked. Nothing is ever sent again.

use application::engine::{FORGOTTEN_AFTER, MISSING_CONFIRMATION};
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{assert_books, assert_bought, assert_order, cost, fee, Trade, ALLOCATED, BLOCK};
use botfleet_tests::engine::EngineRig;
use domain::bots::Funds;
use domain::orders::{Order, OrderStatus};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

botfleet_tests::on_both_stores!(
    a_forgotten_partly_filled_order_ends_canceled_after_the_age_keeping_its_fill,
    recovery_ends_a_forgotten_unfilled_order_after_the_age_releasing_everything,
    a_transient_not_found_never_ends_an_old_order,
);

/// `order` as `known` was, apart from the noted streak of "not found" and its write.
fn same_but_missing(order: &Order, known: &Order) -> bool {
    order.missing_since.is_some()
        && Order { missing_since: None, version: known.version, updated_at: known.updated_at, ..order.clone() }
            == *known
}

async fn a_forgotten_partly_filled_order_ends_canceled_after_the_age_keeping_its_fill(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = rig.first_purchase().await;
    let trade: Trade = ("t1", dec!(0.0004), dec!(100000));
    rig.exchange.fill(&id, trade.0, trade.1, trade.2, fee(&trade));
    assert_eq!(rig.engine.sync_orders().await.unwrap().changed, 1);
    let partly = rig.bot(bot.id).await;
    assert_bought(&partly, &[trade], BLOCK - cost(&[trade]));
    let known = rig.order(&order).await;
    assert_order(&known, OrderStatus::PartiallyFilled, &[trade]);
    rig.exchange.forget(&id);

    // Not found, but not yet older than the age (which the clock reaches exactly): transient.
    for wait in [time::Duration::ZERO, FORGOTTEN_AFTER] {
        rig.clock.advance(wait);
        let report = rig.engine.sync_orders().await.unwrap();
        assert_eq!((report.checked, report.changed, report.forgotten, report.missing), (1, 0, 0, 1), "{report:?}");
        assert!(same_but_missing(&rig.order(&order).await, &known), "the order stays open, the streak noted");
        assert_eq!(rig.bot(bot.id).await, partly, "the bot stays untouched");
    }

    rig.clock.advance(time::Duration::seconds(1));
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!((report.checked, report.changed, report.forgotten), (1, 0, 1), "{report:?}");

    let forgotten = rig.order(&order).await;
    assert_order(&forgotten, OrderStatus::Canceled, &[trade]);
    assert!(forgotten.forgotten && !known.forgotten);
    assert!(forgotten.error.as_deref().is_some_and(|e| e.contains("no longer knows")), "{forgotten:?}");
    assert_eq!(
        (forgotten.average_fill_price, forgotten.exchange_order_id.clone()),
        (Some(trade.2), known.exchange_order_id.clone())
    );
    let after = rig.bot(bot.id).await;
    assert!(after.pending.is_empty(), "{after:?}");
    assert_eq!(after.funds.available - partly.funds.available, partly.funds.blocked, "exactly the rest is released");
    assert_bought(&after, &[trade], Decimal::ZERO);
    assert_eq!((after.positions.len(), after.positions[0].quantity), (1, trade.1));
    assert_eq!(after.positions[0].cost, cost(&[trade]), "the position keeps the filled part");

    assert_eq!(rig.engine.sync_orders().await.unwrap().checked, 0, "nothing is open any more");
    assert_eq!(rig.bot(bot.id).await, after);
    assert_eq!(rig.exchange.placements().len(), 1, "nothing was sent again");
    rig.finish().await;
}

async fn recovery_ends_a_forgotten_unfilled_order_after_the_age_releasing_everything(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = rig.first_purchase().await;
    assert_eq!(order.status, OrderStatus::New);
    rig.exchange.forget(&id);

    // Older than the age at the first "not found": only noted, an hour must confirm it.
    rig.clock.advance(FORGOTTEN_AFTER + time::Duration::seconds(1));
    for wait in [time::Duration::ZERO, MISSING_CONFIRMATION - time::Duration::seconds(1)] {
        rig.clock.advance(wait);
        let report = rig.engine.recover().await.unwrap();
        assert_eq!((report.sync.forgotten, report.sync.never_sent, report.released), (0, 0, 0), "{report:?}");
        assert_eq!(report.sync.missing, 1, "{report:?}");
        assert_eq!(rig.order(&order).await.status, OrderStatus::New);
        let waiting = rig.bot(bot.id).await;
        assert_bought(&waiting, &[], BLOCK);
    }

    rig.clock.advance(time::Duration::seconds(1));
    let report = rig.engine.recover().await.unwrap();
    assert_eq!((report.sync.forgotten, report.sync.changed, report.adopted), (1, 0, 0), "{report:?}");

    let forgotten = rig.order(&order).await;
    assert_order(&forgotten, OrderStatus::Canceled, &[]);
    assert!(forgotten.forgotten && forgotten.average_fill_price.is_none());
    let after = rig.bot(bot.id).await;
    assert_eq!(after.funds, Funds::new(ALLOCATED), "all of the block is released");
    assert!(after.pending.is_empty() && after.positions.is_empty(), "{after:?}");
    assert_books(&after);
    assert!(rig.records(bot.id, "execution").await.is_empty());

    let again = rig.engine.recover().await.unwrap();
    assert_eq!((again.sync.checked, again.sync.forgotten), (0, 0), "{again:?}");
    assert_eq!(rig.bot(bot.id).await, after);
    assert_eq!(rig.exchange.placements().len(), 1, "nothing was sent again");
    rig.finish().await;
}

async fn a_transient_not_found_never_ends_an_old_order(store: Store) {
    let rig = EngineRig::new(store).await;
    let (bot, order, id) = rig.first_purchase().await;
    let known = rig.order(&order).await;
    let waiting = rig.bot(bot.id).await;
    rig.clock.advance(FORGOTTEN_AFTER * 2);

    // Long past the age, the exchange misses it once, then knows it again: nothing ends.
    let kept = rig.exchange.forget(&id);
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!((report.missing, report.forgotten), (1, 0), "{report:?}");
    assert!(same_but_missing(&rig.order(&order).await, &known));
    rig.exchange.remember(kept);
    rig.clock.advance(MISSING_CONFIRMATION);
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!((report.missing, report.forgotten, report.changed), (0, 0, 1), "{report:?}");
    let found = rig.order(&order).await;
    assert_eq!((found.status, found.missing_since), (OrderStatus::New, None), "found again: the streak ends");

    // Missing again: a new streak, which must last the hour again.
    rig.exchange.forget(&id);
    rig.engine.sync_orders().await.unwrap();
    rig.clock.advance(MISSING_CONFIRMATION - time::Duration::seconds(1));
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!((report.missing, report.forgotten), (1, 0), "{report:?}");
    assert_eq!(rig.order(&order).await.status, OrderStatus::New);
    assert_eq!(rig.bot(bot.id).await, waiting, "the bot keeps its block");

    rig.clock.advance(time::Duration::seconds(1));
    let report = rig.engine.sync_orders().await.unwrap();
    assert_eq!((report.missing, report.forgotten), (0, 1), "{report:?}");
    let forgotten = rig.order(&order).await;
    assert!(forgotten.forgotten && forgotten.status == OrderStatus::Canceled, "{forgotten:?}");
    assert_eq!(rig.bot(bot.id).await.funds, Funds::new(ALLOCATED), "all of the block is released");
    assert_eq!(rig.exchange.placements().len(), 1, "nothing was sent again");
    rig.finish().await;
}
