//! Property tests at the extremes of the documented bounds (`crate::shared::bounds`): every bot
//! kind evaluated, filled, charged fees and closed with the largest amounts, the largest and
//! smallest prices, 18 decimal places and the widest percents, never panics and its books always
//! balance (to the 28 digits of a Decimal). Along a path moving prices up to 1e11-fold nothing
//! overflows; across the whole price range, what cannot be represented is refused as an error of
//! the bot, never a panic, and leaves the books balanced.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

use super::sim_tests::Sim;
use super::*;
use crate::market::MarketFilters;
use crate::shared::bounds::{MAX_AMOUNT, MAX_GAIN_PERCENT, MIN_PRICE};

/// The smallest positive value with 18 decimal places.
const TINY: Decimal = Decimal::from_parts(1, 0, 0, false, 18);

fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(MAX_AMOUNT),
        Just(dec!(999999999.999999999999999999)),
        Just(dec!(1.000000000000000001)),
        (1u64..=1_000_000_000_000_000).prop_map(Decimal::from),
    ]
}

fn price() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(MAX_AMOUNT),
        Just(MIN_PRICE),
        Just(dec!(0.000000123456789012)),
        Just(dec!(350000)),
        (1u64..=1_000_000_000_000_000).prop_map(Decimal::from),
    ]
}

fn gain() -> impl Strategy<Value = Decimal> {
    prop_oneof![Just(TINY), Just(MAX_GAIN_PERCENT), Just(dec!(5))]
}

fn loss() -> impl Strategy<Value = Decimal> {
    prop_oneof![Just(TINY * dec!(2)), Just(Decimal::ONE_HUNDRED), Just(dec!(5))]
}

fn filters() -> impl Strategy<Value = MarketFilters> {
    prop_oneof![
        Just(super::sim_tests::filters()),
        Just(MarketFilters {
            tick_size: TINY,
            step_size: TINY,
            min_quantity: TINY,
            max_quantity: Decimal::ZERO,
            min_notional: Decimal::ZERO,
        }),
    ]
}

/// A configuration of `kind` with `allocated`, spending `allocated / share` per operation.
fn config(kind: BotKind, allocated: Decimal, share: u32, base: Decimal, g: Decimal, l: Decimal) -> Value {
    let spend = (allocated / Decimal::from(share)).round_dp(18).max(TINY);
    let risk = json!({"take_profit_percent": g.to_string(), "stop_loss_hard_percent": l.to_string(),
        "trailing_stop": {"activation_percent": g.to_string(), "distance_percent": l.to_string()},
        "sanity_max_move_percent": MAX_GAIN_PERCENT.to_string(), "auto_cancel_distance_percent": g.to_string()});
    let breaker = json!({"preset": "custom", "max_consecutive_losses": 1000, "max_daily_loss_percent": l.to_string()});
    let (allocated, spend) = (allocated.to_string(), spend.to_string());
    match kind {
        BotKind::Smart => json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": spend,
            "allocated_balance": allocated, "max_open_positions": 1000, "risk": risk, "circuit_breaker": breaker}),
        BotKind::Dca => json!({"purchase_amount": spend, "frequency": "1h", "allocated_balance": allocated,
            "take_profit_percent": g.to_string(), "stop_loss_percent": l.to_string(), "auto_restart": true,
            "circuit_breaker": breaker}),
        BotKind::Channel => json!({"base_price": base.min(MAX_AMOUNT / dec!(2)).to_string(),
            "top_price": (base.min(MAX_AMOUNT / dec!(2)) * dec!(1.5)).to_string(),
            "buy_threshold_percent": TINY.to_string(), "sell_threshold_percent": l.min(dec!(99.9)).to_string(),
            "min_profit_percent": "0", "capital_percent": l.to_string(), "allocated_balance": allocated,
            "sell_fee_percent": "9.999999999999999999", "max_open_positions": 1000, "circuit_breaker": breaker}),
        BotKind::Candle => json!({"timeframe": "1h", "indicators": [{"indicator": "rsi", "period": 2}],
            "order_amount": spend, "allocated_balance": allocated, "min_confidence": "LOW",
            "risk": risk, "circuit_breaker": breaker}),
    }
}

fn kind() -> impl Strategy<Value = BotKind> {
    prop_oneof![Just(BotKind::Smart), Just(BotKind::Dca), Just(BotKind::Channel), Just(BotKind::Candle)]
}

/// Runs `kind` along `start` moved by `moves` (each a factor), prices kept inside the bounds.
fn drive(sim: &mut Sim, kind: BotKind, start: Decimal, moves: &[Decimal]) {
    let mut price = start;
    let first = if kind == BotKind::Channel { (start * dec!(0.5)).max(MIN_PRICE) } else { start };
    let step = |sim: &mut Sim, p: Decimal| {
        if kind == BotKind::Candle {
            sim.candle(p);
        } else {
            sim.step(60, p);
        }
    };
    step(sim, first);
    for factor in moves {
        price = price.checked_mul(*factor).unwrap_or(MAX_AMOUNT).round_dp(18).clamp(MIN_PRICE, MAX_AMOUNT);
        step(sim, price);
    }
    sim.emergency();
    step(sim, price);
}

fn factor() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ONE),
        Just(dec!(1.5)),
        Just(dec!(0.5)),
        Just(dec!(10)),
        Just(dec!(0.1)),
        Just(dec!(1.001))
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_kind_at_the_extremes_trades_and_balances(
        kind in kind(), allocated in amount(), share in prop_oneof![Just(1u32), Just(3), Just(1000)],
        start in price(), g in gain(), l in loss(), fee in prop_oneof![Just(Decimal::ZERO), Just(dec!(0.001)), Just(dec!(0.5))],
        filters in filters(), moves in prop::collection::vec(factor(), 1..12),
    ) {
        let mut sim = Sim::new(kind, config(kind, allocated, share, start, g, l), fee);
        sim.filters = filters;
        sim.exact = false;
        sim.strict = false;
        drive(&mut sim, kind, start, &moves);
        // Within the bounds nothing overflows; a quantity of 1e27 (1e15 at 1e-12) keeps only the
        // places a Decimal has left, so a last-digit refusal of the books may remain, as an error.
        for err in &sim.errors {
            prop_assert!(
                matches!(err, BotError::Funds(e) if *e != FundsError::Overflow),
                "nothing overflows within the bounds: {err}"
            );
        }
    }

    #[test]
    fn across_the_whole_price_range_nothing_panics_and_the_books_balance(
        kind in kind(), allocated in amount(), start in price(), g in gain(), l in loss(),
        filters in filters(),
        path in prop::collection::vec(prop_oneof![Just(MIN_PRICE), Just(MAX_AMOUNT), Just(dec!(1))], 1..8),
    ) {
        let mut sim = Sim::new(kind, config(kind, allocated, 1, start, g, l), dec!(0.001));
        sim.filters = filters;
        sim.strict = false;
        sim.exact = false;
        let moves: Vec<Decimal> = path.iter().map(|p| (*p / start).round_dp(18).max(TINY)).collect();
        drive(&mut sim, kind, start, &moves);
        // The books refuse what they cannot hold (an overflow, a fill beyond the funds) and stay
        // balanced: the simulator checked them after every step.
        for err in &sim.errors {
            prop_assert!(matches!(err, BotError::Funds(_)), "only the books refuse: {err}");
        }
    }
}
