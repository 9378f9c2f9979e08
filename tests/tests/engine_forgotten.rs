//! Orders the exchange forgot, on both stores, against a scripted exchange: an acknowledged order
//! that the exchange later answers "not found" stays open (its bot untouched) while it is younger
//! than the forgotten age, a transient not-found; once older, sync (and start-up recovery) ends
//! it as canceled and flagged `forgotten`, what filled stays filled and in the bot's position, and
//! the bot releases exactly what was still blocked. Nothing is ever sent again.

use application::engine::FORGOTTEN_AFTER;
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{assert_books, assert_bought, assert_order, cost, fee, Trade, ALLOCATED, BLOCK};
use botfleet_tests::engine::EngineRig;
use domain::bots::Funds;
use domain::orders::OrderStatus;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

botfleet_tests::on_both_stores!(
    a_forgotten_partly_filled_order_ends_canceled_after_the_age_keeping_its_fill,
    recovery_ends_a_forgotten_unfilled_order_after_the_age_releasing_everything,
);

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
        assert_eq!((report.checked, report.changed, report.forgotten, report.failed), (1, 0, 0, 0), "{report:?}");
        assert_eq!(rig.order(&order).await, known, "the order stays open and untouched");
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

    rig.clock.advance(FORGOTTEN_AFTER);
    let report = rig.engine.recover().await.unwrap();
    assert_eq!((report.sync.forgotten, report.sync.never_sent, report.released), (0, 0, 0), "{report:?}");
    assert_eq!(rig.order(&order).await.status, OrderStatus::New);
    let waiting = rig.bot(bot.id).await;
    assert_bought(&waiting, &[], BLOCK);

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
