//! A market's trading rules and the rounding every order goes through before it is sent.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Symbol;

/// The filters an exchange applies to orders in a market. A zero value disables a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketFilters {
    /// Prices must be multiples of this.
    pub tick_size: Decimal,
    /// Quantities must be multiples of this.
    pub step_size: Decimal,
    /// Smallest quantity.
    pub min_quantity: Decimal,
    /// Largest quantity (zero: no limit).
    pub max_quantity: Decimal,
    /// Smallest `price * quantity`, in the quote asset.
    pub min_notional: Decimal,
}

/// A tradable market on one exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Market {
    /// Canonical symbol.
    pub symbol: Symbol,
    /// Whether orders are accepted now.
    pub trading: bool,
    /// The order filters.
    pub filters: MarketFilters,
}

/// An order that the exchange would refuse, caught before sending it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterViolation {
    /// Quantity is zero or negative.
    #[error("quantity must be positive")]
    NonPositiveQuantity,
    /// Price is zero or negative.
    #[error("price must be positive")]
    NonPositivePrice,
    /// Below the minimum quantity.
    #[error("quantity {quantity} is below the market minimum {min}")]
    BelowMinQuantity {
        /// Requested.
        quantity: Decimal,
        /// Minimum.
        min: Decimal,
    },
    /// Above the maximum quantity.
    #[error("quantity {quantity} is above the market maximum {max}")]
    AboveMaxQuantity {
        /// Requested.
        quantity: Decimal,
        /// Maximum.
        max: Decimal,
    },
    /// Not a multiple of the step size.
    #[error("quantity {quantity} is not a multiple of the step size {step}")]
    OffStep {
        /// Requested.
        quantity: Decimal,
        /// Step.
        step: Decimal,
    },
    /// Not a multiple of the tick size.
    #[error("price {price} is not a multiple of the tick size {tick}")]
    OffTick {
        /// Requested.
        price: Decimal,
        /// Tick.
        tick: Decimal,
    },
    /// `price * quantity` below the minimum notional.
    #[error("order value {notional} is below the market minimum {min}")]
    BelowMinNotional {
        /// Requested value.
        notional: Decimal,
        /// Minimum.
        min: Decimal,
    },
    /// The market is not trading.
    #[error("the market is not trading")]
    MarketClosed,
}

fn floor_to(value: Decimal, step: Decimal) -> Decimal {
    if step <= Decimal::ZERO {
        return value;
    }
    // A value too many steps large for a Decimal quotient is floored through the remainder
    // (the values rounded here, quantities and prices, are never negative).
    match value.checked_div(step).and_then(|steps| steps.floor().checked_mul(step)) {
        Some(floored) => floored.normalize(),
        None => value.checked_rem(step).map_or(value, |rest| value - rest).normalize(),
    }
}

fn ceil_to(value: Decimal, step: Decimal) -> Decimal {
    if step <= Decimal::ZERO {
        return value;
    }
    match value.checked_div(step).and_then(|steps| steps.ceil().checked_mul(step)) {
        Some(ceiled) => ceiled.normalize(),
        None => {
            let floored = floor_to(value, step);
            if floored == value {
                floored
            } else {
                floored.checked_add(step).unwrap_or(floored).normalize()
            }
        }
    }
}

fn is_multiple(value: Decimal, step: Decimal) -> bool {
    step <= Decimal::ZERO || value.checked_rem(step).is_some_and(|rest| rest.is_zero())
}

impl MarketFilters {
    /// Truncates a quantity down to the step size (never up: rounding up overspends).
    pub fn floor_quantity(&self, quantity: Decimal) -> Decimal {
        floor_to(quantity, self.step_size)
    }

    /// Rounds a buy price down to the tick (never pay more than intended).
    pub fn round_buy_price(&self, price: Decimal) -> Decimal {
        floor_to(price, self.tick_size)
    }

    /// Rounds a sell price up to the tick (never sell for less than intended).
    pub fn round_sell_price(&self, price: Decimal) -> Decimal {
        ceil_to(price, self.tick_size)
    }

    /// Whether `quantity` at `price` could never be sold on its own (below the minimum
    /// quantity or notional): dust.
    pub fn is_dust(&self, quantity: Decimal, price: Decimal) -> bool {
        // A notional too large for a Decimal is far above any minimum.
        quantity < self.min_quantity
            || quantity.checked_mul(price).is_some_and(|notional| notional < self.min_notional)
            || self.floor_quantity(quantity).is_zero()
    }

    /// Checks an order of `quantity` at `price` (for a market order, the expected price).
    /// `check_tick` is false for market orders, whose price is not sent.
    pub fn check(&self, quantity: Decimal, price: Decimal, check_tick: bool) -> Result<(), FilterViolation> {
        if quantity <= Decimal::ZERO {
            return Err(FilterViolation::NonPositiveQuantity);
        }
        if price <= Decimal::ZERO {
            return Err(FilterViolation::NonPositivePrice);
        }
        if quantity < self.min_quantity {
            return Err(FilterViolation::BelowMinQuantity { quantity, min: self.min_quantity });
        }
        if self.max_quantity > Decimal::ZERO && quantity > self.max_quantity {
            return Err(FilterViolation::AboveMaxQuantity { quantity, max: self.max_quantity });
        }
        if !is_multiple(quantity, self.step_size) {
            return Err(FilterViolation::OffStep { quantity, step: self.step_size });
        }
        if check_tick && !is_multiple(price, self.tick_size) {
            return Err(FilterViolation::OffTick { price, tick: self.tick_size });
        }
        let notional = quantity.checked_mul(price).unwrap_or(Decimal::MAX);
        if notional < self.min_notional {
            return Err(FilterViolation::BelowMinNotional { notional, min: self.min_notional });
        }
        Ok(())
    }
}

impl Market {
    /// [`MarketFilters::check`], refusing too when the market is not trading.
    pub fn check(&self, quantity: Decimal, price: Decimal, check_tick: bool) -> Result<(), FilterViolation> {
        if !self.trading {
            return Err(FilterViolation::MarketClosed);
        }
        self.filters.check(quantity, price, check_tick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn filters() -> MarketFilters {
        MarketFilters {
            tick_size: dec!(0.01),
            step_size: dec!(0.00001),
            min_quantity: dec!(0.00001),
            max_quantity: dec!(9000),
            min_notional: dec!(5),
        }
    }

    #[test]
    fn rounding_directions() {
        let f = filters();
        assert_eq!(f.floor_quantity(dec!(0.123456789)), dec!(0.12345));
        assert_eq!(f.round_buy_price(dec!(100.019)), dec!(100.01));
        assert_eq!(f.round_sell_price(dec!(100.011)), dec!(100.02));
        assert_eq!(f.round_sell_price(dec!(100.01)), dec!(100.01));
    }

    #[test]
    fn check_reports_each_rule() {
        let f = filters();
        assert!(f.check(dec!(0.001), dec!(100000), true).is_ok());
        assert!(matches!(f.check(dec!(0.000001), dec!(100000), true), Err(FilterViolation::BelowMinQuantity { .. })));
        assert!(matches!(f.check(dec!(0.000015), dec!(1000000), true), Err(FilterViolation::OffStep { .. })));
        assert!(matches!(f.check(dec!(0.001), dec!(100000.001), true), Err(FilterViolation::OffTick { .. })));
        assert!(f.check(dec!(0.001), dec!(100000.001), false).is_ok());
        assert!(matches!(f.check(dec!(0.00002), dec!(100), true), Err(FilterViolation::BelowMinNotional { .. })));
        assert!(matches!(f.check(dec!(9001), dec!(1), true), Err(FilterViolation::AboveMaxQuantity { .. })));
    }

    proptest! {
        #[test]
        fn floored_quantity_is_on_step_and_never_above(raw in 0u64..10_000_000_000u64, scale in 0u32..10) {
            let f = filters();
            let q = Decimal::new(raw as i64, scale);
            let floored = f.floor_quantity(q);
            prop_assert!(floored <= q);
            prop_assert!(q - floored < f.step_size);
            prop_assert!((floored % f.step_size).is_zero());
        }

        #[test]
        fn rounded_prices_are_on_tick_and_on_the_safe_side(raw in 1u64..10_000_000_000u64, scale in 0u32..8) {
            let f = filters();
            let p = Decimal::new(raw as i64, scale);
            let buy = f.round_buy_price(p);
            let sell = f.round_sell_price(p);
            prop_assert!(buy <= p && p - buy < f.tick_size && (buy % f.tick_size).is_zero());
            prop_assert!(sell >= p && sell - p < f.tick_size && (sell % f.tick_size).is_zero());
        }
    }
}
