//! The events a bot raises: exactly one per real change, with the payload the owner is told
//! (figures checked against hand-computed values, not against the books' own code).

use rust_decimal_macros::dec;
use serde_json::json;

use crate::bots::sim_tests::Sim;
use crate::bots::{BotKind, BotStatus, Command, ExitReason, FeeAsset, OrderIntent, OrderProgress, Purpose};
use crate::exchange::{ClientOrderId, OrderSide};
use crate::notifications::{EventPayload, EventType};
use crate::shared::ids::PositionId;

fn smart(risk: serde_json::Value) -> serde_json::Value {
    json!({
        "mode": {"type": "continuous", "interval_seconds": 60},
        "purchase_amount": "100", "allocated_balance": "10000", "max_open_positions": 1,
        "risk": risk
    })
}

fn types(sim: &Sim) -> Vec<&'static str> {
    sim.bot.outbox.events().iter().map(|e| e.event_type().as_str()).collect()
}

/// The outbox's events of `kind`, the older ones first.
fn of(sim: &Sim, kind: EventType) -> Vec<EventPayload> {
    sim.bot.outbox.events().iter().filter(|e| e.event_type() == kind).map(|e| e.payload.clone()).collect()
}

#[test]
fn every_status_change_raises_its_event_once_with_from_to_and_reason() {
    let mut sim = Sim::new(BotKind::Smart, smart(json!({})), dec!(0.001));
    let now = sim.now;
    sim.bot.command(Command::Pause, "paused by its owner", now).unwrap();
    sim.bot.halt(BotStatus::Paused, "paused again", now);
    sim.bot.command(Command::Resume, "resumed", now).unwrap();
    sim.bot.command(Command::Stop, "stopped", now).unwrap();
    sim.bot.command(Command::Start, "started again", now).unwrap();

    assert_eq!(types(&sim), ["bot.started", "bot.paused", "bot.resumed", "bot.stopped", "bot.started"]);
    let events = sim.bot.outbox.events();
    assert!(events.iter().all(|e| e.user_id == sim.bot.user_id && e.at == now));
    let EventPayload::BotPaused(paused) = &events[1].payload else { panic!("{:?}", events[1]) };
    assert_eq!(
        (paused.from, paused.to, paused.reason.as_str()),
        (BotStatus::Running, BotStatus::Paused, "paused by its owner")
    );
    assert_eq!((paused.bot.bot_id, paused.bot.bot_name.as_str()), (sim.bot.id, "sim"));
    assert_eq!(paused.bot.symbol.to_string(), "BTC-BRL");
    let wire = serde_json::to_value(&events[1]).unwrap();
    assert_eq!(wire["type"], "bot.paused");
    assert_eq!(wire["data"]["from"], "running");
    assert_eq!(wire["data"]["bot_id"], sim.bot.id.to_string());
}

#[test]
fn a_take_profit_raises_its_execution_then_the_closed_position_with_its_result() {
    let mut sim = Sim::new(BotKind::Smart, smart(json!({"take_profit_percent": "2"})), dec!(0.001));
    sim.step(1, dec!(100000));
    sim.step(1, dec!(103000));

    assert_eq!(types(&sim), ["bot.started", "take_profit.executed", "position.closed"]);
    let [EventPayload::TakeProfitExecuted(tp), EventPayload::PositionClosed(closed)] =
        [&of(&sim, EventType::TakeProfitExecuted)[0], &of(&sim, EventType::PositionClosed)[0]].map(Clone::clone)
    else {
        panic!("unexpected payloads")
    };
    assert_eq!(tp, closed);
    // Bought 100 BRL at 100000: 0.001 BTC less a 0.1% fee in BTC = 0.000999 held for 100 BRL.
    // Sold 0.000999 at 103000 = 102.897 BRL less 0.1% = 102.794103 BRL.
    assert_eq!(closed.exit_reason, ExitReason::TakeProfit);
    assert_eq!(closed.quantity, dec!(0.000999));
    assert_eq!(closed.entry_cost, dec!(100));
    assert_eq!(closed.proceeds, dec!(102.794103));
    assert_eq!(closed.realized_pnl, dec!(2.794103));
    assert_eq!(closed.exit_price, Some(dec!(102897)));
    assert_eq!(closed.position_id, sim.closed()[0].id);
}

#[test]
fn stop_loss_and_trailing_stop_raise_their_own_events_and_the_soft_stop_raises_once() {
    let risk = json!({
        "stop_loss_soft_percent": "3", "stop_loss_hard_percent": "6",
        "trailing_stop": {"activation_percent": "2", "distance_percent": "1"}
    });
    let mut sim = Sim::new(BotKind::Smart, smart(risk), dec!(0.001));
    sim.step(1, dec!(100000));
    sim.step(1, dec!(96500));
    sim.step(1, dec!(96400));
    sim.step(1, dec!(93000));
    sim.step(1, dec!(95000));
    sim.step(1, dec!(96000));
    sim.step(1, dec!(95000));

    assert_eq!(
        types(&sim),
        [
            "bot.started",
            "bot.soft_stop_hit",
            "stop_loss.executed",
            "position.closed",
            "trailing_stop.executed",
            "position.closed"
        ]
    );
    let EventPayload::SoftStopHit(soft) = &of(&sim, EventType::SoftStopHit)[0] else { unreachable!() };
    assert_eq!(soft.reason, "soft stop loss at 96500 (entry 100100.100100100100)");
    let EventPayload::StopLossExecuted(loss) = &of(&sim, EventType::StopLossExecuted)[0] else { unreachable!() };
    assert!(loss.realized_pnl < dec!(0));
    assert_eq!(loss.realized_pnl, loss.proceeds - loss.entry_cost);
}

#[test]
fn the_breaker_trip_follows_the_closed_position_and_its_reset_resumes() {
    let risk = json!({"take_profit_percent": "1", "stop_loss_hard_percent": "1"});
    let mut sim = Sim::new(BotKind::Smart, smart(risk), dec!(0.001));
    let mut price = dec!(100000);
    sim.step(1, price);
    for win in [false, false, true, false, false, false, false, false] {
        price = if win { price * dec!(1.02) } else { price * dec!(0.98) };
        sim.step(1, price);
    }
    assert_eq!(sim.bot.status, BotStatus::Tripped);
    sim.bot.reset_breaker(sim.now);

    let all = types(&sim);
    assert_eq!(all.iter().filter(|t| **t == "position.closed").count(), 8);
    assert_eq!(&all[all.len() - 3..], ["position.closed", "bot.tripped", "bot.resumed"]);
    let EventPayload::BotTripped(trip) = &of(&sim, EventType::BotTripped)[0] else { unreachable!() };
    assert_eq!((trip.from, trip.to), (BotStatus::Running, BotStatus::Tripped));
    assert!(trip.reason.starts_with("circuit breaker: "), "{}", trip.reason);
}

#[test]
fn a_replayed_exchange_report_raises_nothing_twice() {
    let mut sim = Sim::new(BotKind::Smart, smart(json!({})), dec!(0.001));
    let filters = sim.filters;
    let position = PositionId::new();
    let buy = OrderIntent {
        side: OrderSide::Buy,
        limit_price: None,
        quantity: Some(dec!(0.001)),
        quote_amount: None,
        block: dec!(100),
        purpose: Purpose::Open { position },
        reason: "test".into(),
        indicators: Default::default(),
    };
    let (buy_id, sell_id) = (ClientOrderId::generate(), ClientOrderId::generate());
    sim.bot.accept(&buy, buy_id.clone(), sim.now).unwrap();
    let bought = OrderProgress {
        filled_quantity: dec!(0.001),
        filled_quote: dec!(100),
        fee: dec!(0),
        fee_asset: Some(FeeAsset::Quote),
        done: true,
    };
    sim.bot.on_progress(&buy_id, bought, &filters, dec!(100000), sim.now).unwrap();
    let sell = OrderIntent {
        side: OrderSide::Sell,
        quantity: Some(dec!(0.001)),
        block: dec!(0),
        purpose: Purpose::Close { position: Some(position), reason: ExitReason::Manual },
        ..buy
    };
    sim.bot.accept(&sell, sell_id.clone(), sim.now).unwrap();
    let sold = OrderProgress { filled_quote: dec!(110), ..bought };
    sim.bot.on_progress(&sell_id, sold, &filters, dec!(110000), sim.now).unwrap();
    // The same report again: the order is no longer pending, the bot refuses it and raises nothing.
    assert!(sim.bot.on_progress(&sell_id, sold, &filters, dec!(110000), sim.now).is_err());

    assert_eq!(types(&sim), ["bot.started", "position.closed"]);
    let EventPayload::PositionClosed(closed) = &of(&sim, EventType::PositionClosed)[0] else { unreachable!() };
    assert_eq!(
        (closed.exit_reason, closed.realized_pnl, closed.exit_price),
        (ExitReason::Manual, dec!(10), Some(dec!(110000)))
    );
}

#[test]
fn funds_withdrawn_names_the_asset_and_both_amounts() {
    let mut sim = Sim::new(BotKind::Smart, smart(json!({})), dec!(0.001));
    sim.bot.raise_funds_withdrawn("BRL", dec!(10000), dec!(2500.5), sim.now);

    let EventPayload::FundsWithdrawn(data) = &of(&sim, EventType::FundsWithdrawn)[0] else { unreachable!() };
    assert_eq!((data.asset.as_str(), data.expected, data.available), ("BRL", dec!(10000), dec!(2500.5)));
    assert_eq!(data.bot.as_ref().map(|b| b.bot_id), Some(sim.bot.id));
}
