//! Sync and a stop racing a placement in flight, on both stores: the engine places a DCA purchase
//! and, while the request is on its way to the exchange (or its answer on the way back), the
//! `sync_orders` workflow or the bot's stop runs in the same instance. Whatever the timing, the
//! order and the bot end as the exchange has it: filled once, with the fill and the fee of the
//! placement's answer. Before the engine's claims, the sync marked the order rejected ("never
//! reached the exchange") while the exchange filled it, or stored a look-up without fills (as
//! Binance's `GET /api/v3/order` answers), losing the fee on the order or on the bot: the flaky
//! symptoms of `engine_e2e`.

use std::sync::{Arc, Mutex};

use application::bots::BotExecutor;
use application::engine::{SyncReport, Workload, PENDING_GRACE};
use application::AppError;
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{assert_bought, assert_order, fee, Trade, ALLOCATED, PURCHASE, QUANTITY};
use botfleet_tests::engine::{EngineRig, Hook, InFlight, Placement};
use domain::exchange::{OrderKind, OrderRef, OrderSide, OrderSize};
use domain::orders::{NewOrder, OrderStatus, StrategySource};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

botfleet_tests::on_both_stores!(
    a_sync_while_the_request_is_on_its_way_leaves_the_order_to_its_placement,
    a_sync_while_the_answer_is_on_its_way_keeps_the_fill_and_fee_of_the_answer,
    a_stop_while_a_purchase_is_in_flight_is_refused_as_busy_and_nothing_is_lost,
    a_sync_while_a_manual_orders_answer_is_on_its_way_keeps_its_fill_and_fee,
);

/// The purchase every scenario places: filled at once by one trade.
const TRADE: Trade = ("t1", QUANTITY, dec!(100000));

/// The rig whose next placement fills at once by [`TRADE`].
async fn rig_filling_at_once(store: Store) -> EngineRig {
    let rig = EngineRig::new(store).await;
    rig.exchange.script(Placement::Fill { trade_id: TRADE.0.into(), price: TRADE.2, fee: fee(&TRADE) });
    rig
}

/// The rig with a DCA bot due to buy, its purchase scripted to fill at once.
async fn rig_with_a_due_purchase(store: Store) -> (EngineRig, domain::bots::Bot) {
    let rig = rig_filling_at_once(store).await;
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    (rig, bot)
}

/// A hook that runs the engine's `sync_orders` and keeps its report in `into`.
fn sync_during(rig: &EngineRig, into: &Arc<Mutex<Vec<SyncReport>>>) -> Hook {
    let (engine, into) = (rig.engine.clone(), into.clone());
    Arc::new(move || {
        let (engine, into) = (engine.clone(), into.clone());
        Box::pin(async move {
            let report = engine.sync_orders().await.expect("the sync runs");
            into.lock().unwrap().push(report);
        })
    })
}

/// The purchase ended filled by [`TRADE`] with its fee, and the bot's books hold it, nothing blocked.
async fn assert_filled_once(rig: &EngineRig, bot: domain::shared::ids::BotId) {
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 1, "one purchase");
    assert_order(&orders[0], OrderStatus::Filled, &[TRADE]);
    let after = rig.bot(bot).await;
    assert!(after.pending.is_empty(), "the purchase ended: {:?}", after.pending);
    assert_bought(&after, &[TRADE], Decimal::ZERO);
    assert_eq!(rig.exchange.placements().len(), 1, "sent once");
}

async fn a_sync_while_the_request_is_on_its_way_leaves_the_order_to_its_placement(store: Store) {
    let (rig, bot) = rig_with_a_due_purchase(store).await;
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sync = sync_during(&rig, &reports);
    // The request takes longer than the pending grace (a slow network; a fast test clock).
    let clock = rig.clock.clone();
    let slow: Hook = Arc::new(move || {
        clock.advance(PENDING_GRACE + time::Duration::seconds(1));
        sync()
    });
    rig.exchange.on_place(Some((InFlight::Sent, slow)));

    let cycle = rig.engine.run(Workload::DcaExecution).await.unwrap();

    assert_eq!((cycle.orders, cycle.skipped), (1, 0), "{cycle:?}");
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1);
    assert_eq!((reports[0].never_sent, reports[0].busy, reports[0].checked), (0, 1, 0), "{:?}", reports[0]);
    assert_filled_once(&rig, bot.id).await;
    rig.finish().await;
}

/// Once the exchange filled the order: a look-up answers its totals without the trades (as
/// Binance's `GET /api/v3/order`) and the engine's `sync_orders` runs, its report kept in `into`.
fn sync_reading_totals_only(rig: &EngineRig, into: &Arc<Mutex<Vec<SyncReport>>>) {
    let (sync, exchange) = (sync_during(rig, into), rig.exchange.clone());
    let totals_only: Hook = Arc::new(move || {
        let id = exchange.placements().last().expect("the request reached the exchange").client_order_id.clone();
        let mut report = exchange.snapshot(&OrderRef::Client(id.clone()));
        report.fills.clear();
        exchange.answer_once(&id, report);
        sync()
    });
    rig.exchange.on_place(Some((InFlight::Answered, totals_only)));
}

async fn a_sync_while_the_answer_is_on_its_way_keeps_the_fill_and_fee_of_the_answer(store: Store) {
    let (rig, bot) = rig_with_a_due_purchase(store).await;
    let reports = Arc::new(Mutex::new(Vec::new()));
    sync_reading_totals_only(&rig, &reports);

    let cycle = rig.engine.run(Workload::DcaExecution).await.unwrap();

    assert_eq!((cycle.orders, cycle.skipped), (1, 0), "{cycle:?}");
    let reports = reports.lock().unwrap().clone();
    assert_eq!((reports[0].changed, reports[0].busy), (0, 1), "{:?}", reports[0]);
    assert_filled_once(&rig, bot.id).await;
    rig.finish().await;
}

async fn a_stop_while_a_purchase_is_in_flight_is_refused_as_busy_and_nothing_is_lost(store: Store) {
    let (rig, bot) = rig_with_a_due_purchase(store).await;
    let answers = Arc::new(Mutex::new(Vec::new()));
    let (engine, repos, clock, into) = (rig.engine.clone(), rig.repos.bots.clone(), rig.clock.clone(), answers.clone());
    let stop: Hook = Arc::new(move || {
        let (engine, repos, clock, into) = (engine.clone(), repos.clone(), clock.clone(), into.clone());
        Box::pin(async move {
            clock.advance(PENDING_GRACE + time::Duration::seconds(1));
            let stored = repos.find(bot.id).await.unwrap();
            let answer = engine.cancel_pending(stored).await.map(|b| b.pending.len());
            into.lock().unwrap().push(answer);
        })
    });
    rig.exchange.on_place(Some((InFlight::Sent, stop)));

    rig.engine.run(Workload::DcaExecution).await.unwrap();

    let answers = std::mem::take(&mut *answers.lock().unwrap());
    assert!(matches!(answers.as_slice(), [Err(AppError::BotBusy(_))]), "the stop is told to retry: {answers:?}");
    rig.exchange.on_place(None);
    assert_filled_once(&rig, bot.id).await;
    let stored = rig.bot(bot.id).await;
    assert_eq!(
        rig.engine.cancel_pending(stored).await.unwrap().pending.len(),
        0,
        "once retried, the stop goes through"
    );
    rig.finish().await;
}

async fn a_sync_while_a_manual_orders_answer_is_on_its_way_keeps_its_fill_and_fee(store: Store) {
    let rig = rig_filling_at_once(store).await;
    let reports = Arc::new(Mutex::new(Vec::new()));
    sync_reading_totals_only(&rig, &reports);
    let context = &rig.context;
    let new = NewOrder {
        user_id: context.user_id,
        context_id: context.id,
        exchange: context.exchange,
        symbol: context.symbol(),
        bot_id: None,
        source: StrategySource::Manual,
        side: OrderSide::Buy,
        kind: OrderKind::Market,
        size: OrderSize::Quantity(QUANTITY),
        creation: Default::default(),
        reason: None,
    };

    let placed = rig.engine.place_manual(context, new, None).await.expect("the placement's answer is stored");

    assert_eq!(reports.lock().unwrap()[0].busy, 1, "the sync left the order to its placement");
    assert_order(&placed, OrderStatus::Filled, &[TRADE]);
    assert_order(&rig.order(&placed).await, OrderStatus::Filled, &[TRADE]);
    rig.finish().await;
}
