//! One bot can never stop another, on both stores: a bot whose write panics (a bug in its
//! evaluation) and a bot whose stored document cannot be read share a run with healthy bots; the
//! healthy ones still trade, the failing one is paused with a reason naming what failed and the
//! unreadable one is skipped. The same holds for a panic while syncing one order, and for a
//! context whose balances cannot be read while the others are compared.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use application::engine::Workload;
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{ALLOCATED, PURCHASE, QUANTITY};
use botfleet_tests::engine::{EngineRig, Hook};
use domain::bots::BotStatus;
use domain::orders::OrderStatus;
use infrastructure::repositories::StoreBotRepository;
use rust_decimal_macros::dec;
use serde_json::Value;

botfleet_tests::on_both_stores!(
    a_failing_bot_is_paused_and_the_others_still_trade,
    a_panic_while_syncing_one_order_pauses_its_bot_and_the_sync_goes_on,
    a_context_that_cannot_be_read_does_not_end_the_balance_check,
);

/// Replaces the aggregate in bot `id`'s stored document with text that is no bot.
async fn corrupt(rig: &EngineRig, id: domain::shared::ids::BotId) {
    let store = &rig.repos.store;
    let coll = StoreBotRepository::COLLECTION;
    let mut doc = store.get(coll, &id.to_string()).await.unwrap().expect("the bot is stored");
    doc.insert("bot".into(), Value::String(r#"{"config": "not a bot"}"#.into()));
    let version = doc["version"].as_u64().unwrap();
    store.replace(coll, doc, version).await.unwrap();
}

async fn a_failing_bot_is_paused_and_the_others_still_trade(store: Store) {
    let rig = EngineRig::new(store).await;
    let mut bots = Vec::new();
    for _ in 0..4 {
        bots.push(rig.dca_bot(PURCHASE, ALLOCATED).await.id);
    }
    bots.sort();
    let (poisoned, unreadable) = (bots[1], bots[2]);
    rig.bots.poison(poisoned);
    corrupt(&rig, unreadable).await;

    let cycle = rig.engine.run(Workload::DcaExecution).await.expect("the run ends normally");

    assert_eq!((cycle.bots, cycle.orders, cycle.isolated), (3, 2, 1), "{cycle:?}");
    let traded: Vec<_> = rig.orders().await.iter().map(|o| o.bot_id.unwrap()).collect();
    assert_eq!(traded.len(), 2);
    for healthy in [bots[0], bots[3]] {
        assert!(traded.contains(&healthy), "{healthy} traded");
        assert_eq!(rig.bot(healthy).await.status, BotStatus::Running);
    }
    let paused = rig.bot(poisoned).await;
    assert_eq!(paused.status, BotStatus::Paused);
    let reason = paused.status_reason.unwrap_or_default();
    assert!(reason.contains("evaluation failed") && reason.contains("a bug while writing it"), "{reason}");
    assert!(paused.pending.is_empty(), "nothing was placed for it");

    let next = rig.engine.run(Workload::DcaExecution).await.expect("the next run ends normally");
    assert_eq!((next.isolated, next.orders), (0, 0), "a paused bot opens nothing: {next:?}");
    rig.finish().await;
}

async fn a_panic_while_syncing_one_order_pauses_its_bot_and_the_sync_goes_on(store: Store) {
    let rig = EngineRig::new(store).await;
    let (first, second) = (rig.dca_bot(PURCHASE, ALLOCATED).await, rig.dca_bot(PURCHASE, ALLOCATED).await);
    let placed = rig.engine.run(Workload::DcaExecution).await.unwrap();
    assert_eq!(placed.orders, 2, "{placed:?}");
    let orders = rig.orders().await;
    for order in &orders {
        let reference = domain::exchange::OrderRef::Client(order.client_order_id.clone());
        rig.exchange.fill(&reference, &format!("t-{}", order.id), QUANTITY, dec!(100000), dec!(0.1));
    }
    // The first order read panics, as a bug in reading one exchange answer would.
    let fired = Arc::new(AtomicBool::new(false));
    let hook: Hook = Arc::new(move || {
        let first_call = !fired.swap(true, Ordering::SeqCst);
        Box::pin(async move { assert!(!first_call, "a bug while reading one order") })
    });
    rig.exchange.on_order(Some(hook));

    let report = rig.engine.sync_orders().await.expect("the sync ends normally");

    assert_eq!((report.checked, report.isolated, report.changed), (2, 1, 1), "{report:?}");
    let after = [rig.bot(first.id).await, rig.bot(second.id).await];
    let paused: Vec<_> = after.iter().filter(|b| b.status == BotStatus::Paused).collect();
    assert_eq!(paused.len(), 1, "only the bot whose order failed is paused");
    let reason = paused[0].status_reason.clone().unwrap_or_default();
    assert!(reason.contains("order sync failed") && reason.contains("a bug while reading one order"), "{reason}");
    let synced = rig.orders().await.into_iter().filter(|o| o.status == OrderStatus::Filled).count();
    assert_eq!(synced, 1, "the other order was synced in the same run");
    rig.finish().await;
}

async fn a_context_that_cannot_be_read_does_not_end_the_balance_check(store: Store) {
    let rig = EngineRig::new(store).await;
    let healthy = rig.dca_bot(PURCHASE, ALLOCATED).await;
    // A context on an exchange this engine has no gateway for: its balances cannot be read.
    let symbol = domain::market::Symbol::parse("BTC-USDT").unwrap();
    let now = healthy.created_at;
    let elsewhere = domain::contexts::TradingContext::new(
        rig.user(),
        domain::exchange::ExchangeId::Binance,
        &symbol,
        domain::contexts::ContextMode::Paper,
        now,
    );
    let elsewhere = rig.repos.contexts.create(&elsewhere).await.unwrap();
    let mut stranded = domain::bots::Bot::new(&elsewhere, "stranded".into(), healthy.config.clone(), now);
    stranded.command(domain::bots::Command::Start, "started by the test", now).unwrap();
    rig.repos.bots.create(&stranded).await.unwrap();

    let report = rig.engine.sync_strategy_balances().await.expect("the check ends normally");

    assert_eq!((report.contexts, report.unreadable), (2, 1), "{report:?}");
    rig.finish().await;
}
