//! The documented bounds of every number a client may send (bot configurations, risk rules,
//! manual orders, paper controls), in one place. They are chosen so that no computation of the
//! bots, the books or the API can overflow a `Decimal` (about 7.9e28): an amount times a percent,
//! a quantity times a price (1e13 x 1e15 = 1e28) and an amount over a price (1e15 / 1e-12 = 1e27)
//! all fit. `docs/bots.md` ("Bounds") lists them per field and the OpenAPI schemas repeat them.

use rust_decimal::Decimal;

use super::field::Issues;

/// The most decimal places a client value may carry.
pub const MAX_DECIMAL_PLACES: u32 = 18;

/// 1e15: the largest quote amount and the largest price.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// 1e13: the largest base quantity (times the largest price it stays below 1e28).
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(0x4E72_A000, 0x0000_0918, 0, false, 0);

/// 1e-12: the smallest price (an amount over it stays below 1e28).
pub const MIN_PRICE: Decimal = Decimal::from_parts(1, 0, 0, false, 12);

/// 10 000%: the largest gain-like percentage (take profit, trailing activation, thresholds).
pub const MAX_GAIN_PERCENT: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// The range a decimal value must be in; each end is open or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The lower end.
    pub min: Decimal,
    /// Whether `min` itself is allowed.
    pub min_inclusive: bool,
    /// The upper end.
    pub max: Decimal,
    /// Whether `max` itself is allowed.
    pub max_inclusive: bool,
}

const ZERO: Decimal = Decimal::ZERO;
const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// A quote amount (capital, purchase, order amount, withdrawal): (0, 1e15].
pub const AMOUNT: Bound = Bound { min: ZERO, min_inclusive: false, max: MAX_AMOUNT, max_inclusive: true };
/// A price: [1e-12, 1e15].
pub const PRICE: Bound = Bound { min: MIN_PRICE, min_inclusive: true, max: MAX_AMOUNT, max_inclusive: true };
/// A base quantity: (0, 1e13].
pub const QUANTITY: Bound = Bound { min: ZERO, min_inclusive: false, max: MAX_QUANTITY, max_inclusive: true };
/// A loss or a share of something whole (stop loss, trailing distance, capital share, daily loss
/// limit): (0, 100].
pub const LOSS_PERCENT: Bound = Bound { min: ZERO, min_inclusive: false, max: HUNDRED, max_inclusive: true };
/// A fall that must leave something (the channel's sell threshold): (0, 100).
pub const FALL_PERCENT: Bound = Bound { min: ZERO, min_inclusive: false, max: HUNDRED, max_inclusive: false };
/// A gain or a move (take profit, trailing activation, adaptive targets and volatility, sanity
/// check, auto-cancel distance, channel buy threshold): (0, 10 000].
pub const GAIN_PERCENT: Bound = Bound { min: ZERO, min_inclusive: false, max: MAX_GAIN_PERCENT, max_inclusive: true };
/// A minimum profit, which may be zero: [0, 10 000].
pub const PROFIT_PERCENT: Bound = Bound { min: ZERO, min_inclusive: true, max: MAX_GAIN_PERCENT, max_inclusive: true };
/// A multiplier or percentage of an indicator (Bollinger `std_dev`, ATR `stop_multiplier`,
/// volatility `max_percent`): (0, 1 000].
pub const FACTOR: Bound =
    Bound { min: ZERO, min_inclusive: false, max: Decimal::from_parts(1_000, 0, 0, false, 0), max_inclusive: true };
/// An exchange fee: [0, 10).
pub const FEE_PERCENT: Bound =
    Bound { min: ZERO, min_inclusive: true, max: Decimal::from_parts(10, 0, 0, false, 0), max_inclusive: false };

impl Bound {
    /// Whether `value` is inside, with at most [`MAX_DECIMAL_PLACES`] places.
    pub fn contains(&self, value: Decimal) -> bool {
        let above = if self.min_inclusive { value >= self.min } else { value > self.min };
        let below = if self.max_inclusive { value <= self.max } else { value < self.max };
        above && below && value.normalize().scale() <= MAX_DECIMAL_PLACES
    }

    /// `value` when inside, else what is wrong, for people.
    pub fn check(&self, value: Decimal) -> Result<Decimal, String> {
        if self.contains(value) {
            Ok(value)
        } else {
            Err(self.describe())
        }
    }

    /// The rule in words: `must be above 0 and at most 1000000000000000, with at most 18 decimal places`.
    pub fn describe(&self) -> String {
        let low = if self.min_inclusive { "at least" } else { "above" };
        let high = if self.max_inclusive { "at most" } else { "below" };
        format!(
            "must be {low} {} and {high} {}, with at most {MAX_DECIMAL_PLACES} decimal places",
            self.min.normalize(),
            self.max.normalize()
        )
    }
}

/// The range a count or a period must be in, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountBound {
    /// The smallest.
    pub min: u32,
    /// The largest.
    pub max: u32,
}

/// Seconds between SmartBot cycles: 1 s to 366 days.
pub const INTERVAL_SECONDS: CountBound = CountBound { min: 1, max: 31_622_400 };
/// Positions held at once: 1 to 1 000.
pub const OPEN_POSITIONS: CountBound = CountBound { min: 1, max: 1_000 };
/// DCA purchases per accumulation: 1 to 100 000.
pub const CYCLES: CountBound = CountBound { min: 1, max: 100_000 };
/// Losing trades in a row before the breaker trips: 1 to 1 000.
pub const LOSSES: CountBound = CountBound { min: 1, max: 1_000 };

impl CountBound {
    /// `value` when inside, else what is wrong, for people.
    pub fn check(&self, value: u32) -> Result<u32, String> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(format!("must be between {} and {}", self.min, self.max))
        }
    }
}

impl Issues {
    /// Records an issue with `field` unless `value` is inside `bound`.
    pub fn bounded(&mut self, field: &str, value: Decimal, bound: Bound) {
        if let Err(message) = bound.check(value) {
            self.check(false, field, message);
        }
    }

    /// [`Issues::bounded`] for an optional value (absent is fine).
    pub fn bounded_opt(&mut self, field: &str, value: Option<Decimal>, bound: Bound) {
        if let Some(value) = value {
            self.bounded(field, value, bound);
        }
    }

    /// Records an issue with `field` unless the count `value` is inside `bound`.
    pub fn counted(&mut self, field: &str, value: Option<u32>, bound: CountBound) {
        if let Some(Err(message)) = value.map(|v| bound.check(v)) {
            self.check(false, field, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn the_constants_are_what_they_say() {
        assert_eq!(MAX_AMOUNT, dec!(1_000_000_000_000_000));
        assert_eq!(MAX_QUANTITY, dec!(10_000_000_000_000));
        assert_eq!(MIN_PRICE, dec!(0.000000000001));
        // The products and quotients the bounds promise fit in a Decimal.
        assert!(MAX_QUANTITY.checked_mul(MAX_AMOUNT).is_some());
        assert!(MAX_AMOUNT.checked_div(MIN_PRICE).is_some());
        assert!(MAX_AMOUNT.checked_mul(MAX_GAIN_PERCENT).is_some());
    }

    #[test]
    fn ends_scale_and_words() {
        assert!(AMOUNT.contains(MAX_AMOUNT));
        assert!(!AMOUNT.contains(MAX_AMOUNT + dec!(0.001)));
        assert!(!AMOUNT.contains(Decimal::ZERO));
        assert!(AMOUNT.contains(dec!(0.000000000000000001)));
        assert!(!AMOUNT.contains(dec!(0.0000000000000000001)));
        assert!(AMOUNT.contains(dec!(1.5000000000000000000000000)), "trailing zeros are not places");
        assert!(!FALL_PERCENT.contains(dec!(100)));
        assert!(PROFIT_PERCENT.contains(Decimal::ZERO));
        assert!(!PRICE.contains(dec!(0.0000000000001)));
        assert!(!LOSS_PERCENT.contains(dec!(-1)));
        assert_eq!(LOSS_PERCENT.describe(), "must be above 0 and at most 100, with at most 18 decimal places");
        assert_eq!(OPEN_POSITIONS.check(0), Err("must be between 1 and 1000".to_owned()));
        assert_eq!(CYCLES.check(7), Ok(7));
    }
}
