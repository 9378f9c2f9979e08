//! A stop racing an evaluation in flight, on both stores (issue 15's flake: a SmartBot's sale
//! filled after its stop had answered with no pending order, so the PDF report and the summary
//! read after it disagreed). The scripted exchange runs a hook while a placement is on its way:
//!
//! - the owner's stop arrives mid-placement: it stores the bot stopped, then answers only once
//!   the evaluation is done and nothing is pending; after its answer nothing is sent or filled;
//! - the bot is stopped (a stop, a plan's halt) while the first of two sales of one evaluation is
//!   on its way: the second, decided for a running bot, is never sent (before the fix, the
//!   placement protocol accepted it on the stopped bot, as re-read after the first sale's fill).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use application::bots::{BotCommand, BotExecutor};
use application::engine::Workload;
use application::AppError;
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{fee, Trade, ALLOCATED, PURCHASE, QUANTITY};
use botfleet_tests::engine::{EngineRig, Hook, InFlight, Placement};
use domain::bots::{Bot, BotConfig, BotKind, BotStatus, Command, ManualOrder};
use domain::exchange::{OrderSide, OrderSize};
use domain::orders::OrderStatus;
use domain::Clock;
use rust_decimal_macros::dec;
use serde_json::json;
use tokio::task::JoinHandle;

/// The stop's answer, awaited once the evaluation is done.
type StopAnswer = JoinHandle<Result<Bot, AppError>>;

botfleet_tests::on_both_stores!(
    a_stop_mid_placement_answers_once_the_evaluation_is_done_and_nothing_moves_after,
    a_bot_stopped_mid_evaluation_sends_none_of_the_rest_of_its_decision,
);

/// Stores `id` stopped, as the owner's stop does first (without the bot's lease).
async fn store_stopped(
    rig_bots: &Arc<dyn domain::bots::BotRepository>,
    id: domain::shared::ids::BotId,
    at: time::OffsetDateTime,
) -> Bot {
    let mut bot = rig_bots.find(id).await.expect("the bot is stored");
    bot.command(Command::Stop, "stopped by its owner", at).expect("an evaluated bot stops");
    rig_bots.update(&bot).await.expect("nothing else writes the bot now")
}

async fn a_stop_mid_placement_answers_once_the_evaluation_is_done_and_nothing_moves_after(store: Store) {
    let rig = EngineRig::new(store).await;
    let trade: Trade = ("t1", QUANTITY, dec!(100000));
    rig.exchange.script(Placement::Fill { trade_id: trade.0.into(), price: trade.2, fee: fee(&trade) });
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    let stop: Arc<Mutex<Option<StopAnswer>>> = Arc::default();
    let (engine, bots, clock, into) = (rig.engine.clone(), rig.repos.bots.clone(), rig.clock.clone(), stop.clone());
    let hook: Hook = Arc::new(move || {
        let (engine, bots, clock, into) = (engine.clone(), bots.clone(), clock.clone(), into.clone());
        Box::pin(async move {
            if into.lock().unwrap().is_some() {
                return;
            }
            let stopped = store_stopped(&bots, bot.id, clock.now()).await;
            let answer = tokio::spawn(async move { engine.settle_stop(stopped).await });
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!answer.is_finished(), "the stop waits while the purchase is on its way");
            *into.lock().unwrap() = Some(answer);
        })
    });
    rig.exchange.on_place(Some((InFlight::Sent, hook)));

    let cycle = rig.engine.run(Workload::DcaExecution).await.unwrap();

    assert_eq!(cycle.orders, 1, "{cycle:?}");
    let answer = stop.lock().unwrap().take().expect("the stop arrived mid-placement");
    let answered = answer.await.unwrap().expect("the stop goes through once the evaluation is done");
    assert_eq!((answered.status, answered.pending.len()), (BotStatus::Stopped, 0));
    assert_eq!(answered.funds.holdings, QUANTITY, "the purchase in flight filled and counts");
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status, OrderStatus::Filled);

    // Once the stop answered, nothing moves: every workflow runs again, hours later, at a price
    // that would trigger the DCA's take profit.
    rig.exchange.on_place(None);
    rig.exchange.set_book(dec!(199990), dec!(200000), dec!(200000));
    for workload in [Workload::DcaExecution, Workload::DcaRisk].into_iter().cycle().take(6) {
        rig.clock.advance(time::Duration::hours(2));
        rig.engine.run(workload).await.unwrap();
        rig.engine.sync_orders().await.unwrap();
    }
    assert_eq!(rig.exchange.placements().len(), 1, "nothing was sent after the stop");
    let after = rig.bot(bot.id).await;
    assert_eq!((after.funds, after.positions, after.trades), (answered.funds, answered.positions, answered.trades));
    rig.finish().await;
}

/// A running SmartBot taking profit at 1%, with two lots bought at 100000 by its owner.
async fn smart_bot_with_two_lots(rig: &EngineRig) -> Bot {
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000",
        "max_open_positions": 3, "risk": {"take_profit_percent": "1"}, "circuit_breaker": {"preset": "off"}});
    let config = BotConfig::parse(BotKind::Smart, &config).expect("a valid SmartBot configuration");
    let now = rig.clock.now();
    let mut bot = Bot::new(&rig.context, "smart".into(), config, now);
    bot.command(Command::Start, "started by the test", now).expect("a created bot starts");
    let mut bot = rig.repos.bots.create(&bot).await.expect("the bot is stored");
    for trade in ["b1", "b2"] {
        rig.exchange.script(Placement::Fill { trade_id: trade.into(), price: dec!(100000), fee: dec!(0.1) });
        let order = ManualOrder {
            side: OrderSide::Buy,
            limit_price: None,
            size: Some(OrderSize::Quantity(QUANTITY)),
            position: None,
        };
        let command = BotCommand { order, client_order_id: None };
        bot = rig.engine.command(bot, command).await.expect("the owner's buy goes through").bot;
    }
    assert_eq!(bot.positions.iter().filter(|p| p.is_held()).count(), 2, "two lots: {:?}", bot.positions);
    bot
}

async fn a_bot_stopped_mid_evaluation_sends_none_of_the_rest_of_its_decision(store: Store) {
    let rig = EngineRig::new(store).await;
    let bot = smart_bot_with_two_lots(&rig).await;
    // 5% up: both lots take profit in one evaluation.
    rig.exchange.set_book(dec!(104990), dec!(105000), dec!(105000));
    for trade in ["s1", "s2"] {
        rig.exchange.script(Placement::Fill { trade_id: trade.into(), price: dec!(104990), fee: dec!(0.1) });
    }
    let once = Arc::new(Mutex::new(false));
    let (bots, clock) = (rig.repos.bots.clone(), rig.clock.clone());
    let hook: Hook = Arc::new(move || {
        let (bots, clock, once) = (bots.clone(), clock.clone(), once.clone());
        Box::pin(async move {
            if std::mem::replace(&mut *once.lock().unwrap(), true) {
                return;
            }
            store_stopped(&bots, bot.id, clock.now()).await;
        })
    });
    rig.exchange.on_place(Some((InFlight::Sent, hook)));

    let cycle = rig.engine.run(Workload::SmartSales).await.unwrap();

    let sales: Vec<_> = rig.exchange.placements().into_iter().filter(|p| p.side == OrderSide::Sell).collect();
    assert_eq!(sales.len(), 1, "only the sale on its way when the bot stopped was sent: {sales:?}");
    assert_eq!(cycle.orders, 1, "{cycle:?}");
    let orders = rig.orders().await;
    assert_eq!(orders.len(), 3, "two buys and one sale; no order stored for the sale not sent");
    assert!(orders.iter().all(|o| o.status == OrderStatus::Filled), "{orders:?}");
    let after = rig.bot(bot.id).await;
    assert_eq!((after.status, after.pending.len()), (BotStatus::Stopped, 0));
    assert_eq!(after.positions.iter().filter(|p| p.is_held()).count(), 1, "the other lot stays held");
    rig.finish().await;
}
