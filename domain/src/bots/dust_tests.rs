//! The leftover-base (dust) defects of issue 20, each replayed with the ticks that found it: dust
//! joins at most one open sale, never turns a sale at or above a position's minimum into a booked
//! loss, and never makes a bot refuse its own order; a protective exit sells what is free.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;

use super::sim_tests::{filters, Sim};
use super::*;
use crate::exchange::{ClientOrderId, OrderSide};

fn channel(min_profit: &str, max_positions: u32) -> serde_json::Value {
    json!({
        "base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": min_profit, "capital_percent": "20",
        "allocated_balance": "2000", "sell_fee_percent": "0.1", "max_open_positions": max_positions
    })
}

/// The lowest price each sold position's sale was allowed at, from its `SaleScheduled` event.
fn assert_no_sale_below_minimum(sim: &Sim) {
    for (price, purpose) in &sim.sells {
        let Purpose::Close { position: Some(id), .. } = purpose else { continue };
        let min = sim.events.iter().rev().find_map(|e| match e {
            BotEvent::SaleScheduled { position, min_price } if position == id => Some(*min_price),
            _ => None,
        });
        assert!(min.is_some_and(|m| *price >= m), "sold {id} at {price} below its minimum {min:?}");
    }
}

#[test]
fn a_resting_sale_does_not_make_the_next_sale_carry_the_dust_again() {
    // Fees in BTC on buys, in BRL on sales (the simulated market's), 0.1%.
    let mut sim = Sim::new(BotKind::Channel, channel("0.5", 2), dec!(0.001));
    let ticks = [
        dec!(101000),
        dec!(102000),
        dec!(112000),
        dec!(109000),
        dec!(101000),
        dec!(109939),
        dec!(110500),
        dec!(101000),
        dec!(102000),
        dec!(110500),
        dec!(108000),
    ];
    // The simulated market is strict: any order the bot refuses fails the test.
    for price in ticks {
        sim.step(1, price);
    }
    assert_no_sale_below_minimum(&sim);
    // Far above every minimum: everything scheduled sells, nothing is stuck behind a resting sale.
    sim.step(1, dec!(130000));
    assert!(sim.closed().len() >= 2, "both positions sold: {:?}", sim.closed());
    assert!(sim.bot.positions.is_empty(), "nothing left held: {:?}", sim.bot.positions);
    assert_no_sale_below_minimum(&sim);
}

#[test]
fn a_sale_at_the_minimum_never_books_a_loss_because_of_dust() {
    let mut sim = Sim::new(BotKind::Channel, channel("0", 1), dec!(0.001));
    let ticks = [
        dec!(101000),
        dec!(109021),
        dec!(115000),
        dec!(112000),
        dec!(101000),
        dec!(102276),
        dec!(110000),
        dec!(101500),
        dec!(102480.86),
    ];
    for price in ticks {
        sim.step(1, price);
    }
    sim.step(1, dec!(130000));
    sim.step(1, dec!(120000));
    assert!(sim.closed().len() >= 2, "two trades: {:?}", sim.closed());
    for p in sim.closed() {
        assert!(p.realized_profit >= Decimal::ZERO, "a channel sale at its minimum booked a loss: {p:?}");
    }
    assert_eq!(sim.bot.breaker.consecutive_losses, 0, "no losing trade reached the breaker");
    assert_no_sale_below_minimum(&sim);
}

/// Three SmartBot lots with a hard stop, and dust left by earlier sales.
fn smart_with_dust() -> (Sim, Decimal) {
    let config = json!({
        "mode": {"type": "continuous", "interval_seconds": 60},
        "purchase_amount": "500", "allocated_balance": "10000", "max_open_positions": 3,
        "risk": {"stop_loss_hard_percent": "0.3"}
    });
    let mut sim = Sim::new(BotKind::Smart, config, dec!(0.001));
    for _ in 0..3 {
        sim.step(1, dec!(95000));
    }
    assert_eq!(sim.bot.positions.len(), 3, "three lots");
    // Dust of earlier trades: its cost is in the books as what it is.
    let dust = Dust { quantity: dec!(0.00000714), cost: dec!(0.68) };
    sim.bot.dust = dust;
    sim.bot.funds.holdings += dust.quantity;
    sim.bot.funds.invested += dust.cost;
    sim.bot.funds.allocated += dust.cost;
    (sim, dust.quantity)
}

#[test]
fn dust_joins_at_most_one_open_sale_and_a_stop_loss_sells_what_is_free() {
    let (mut sim, dust) = smart_with_dust();
    let lots: Vec<Decimal> = sim.bot.positions.iter().map(|p| p.quantity).collect();
    let (f, at) = (filters(), sim.now);
    // Each evaluation is a restart after a crash between accepting and sending: the sale stays open.
    let mut locked = Vec::new();
    for _ in 0..3 {
        let out = sim.bot.evaluate(Phase::Exit, &Sim::view(dec!(94000), &f, &[]), at);
        let intent = out.place.first().expect("a stop loss").clone();
        assert_eq!(intent.side, OrderSide::Sell);
        sim.bot.accept(&intent, ClientOrderId::generate(), at).expect("the bot never refuses its own stop loss");
        locked.push(intent.quantity.unwrap());
    }
    let total: Decimal = locked.iter().sum();
    assert!(total <= lots.iter().sum::<Decimal>() + dust, "locked {locked:?} > lots {lots:?} + dust {dust}");
    // Flooring to the step leaves a sale's remainder free for the next one: less than a step.
    let with_dust = locked.iter().zip(&lots).filter(|(l, q)| **l > **q + f.step_size).count();
    assert!(with_dust <= 1, "dust joined {with_dust} open sales: {locked:?} for lots {lots:?}");
    assert!(sim.bot.funds.is_consistent());
}

#[test]
fn a_stop_loss_sells_what_is_free_when_an_old_sale_locked_too_much() {
    let (mut sim, dust) = smart_with_dust();
    let (f, at) = (filters(), sim.now);
    // Two sales left open by an older version, each with the whole dust (the bug's state).
    for i in 0..2 {
        let pos = &sim.bot.positions[i];
        let intent = super::exits::sell_intent(pos.quantity + dust, None, Some(pos.id), ExitReason::StopLoss, "old");
        sim.bot.accept(&intent, ClientOrderId::generate(), at).unwrap();
    }
    let free = sim.bot.funds.free_holdings();
    assert!(free < sim.bot.positions[2].quantity, "the third lot is short of its own base");
    let out = sim.bot.evaluate(Phase::Protect, &Sim::view(dec!(94000), &f, &[]), at);
    let intent = out.place.first().expect("the third lot's stop loss is placed");
    assert_eq!(intent.quantity, Some(f.floor_quantity(free)), "it sells what is free");
    sim.bot.accept(intent, ClientOrderId::generate(), at).expect("and the books accept it");
}
