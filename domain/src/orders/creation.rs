//! What was known when an order was decided: the strategy's parameters, the indicator values
//! behind the decision and the state of the book. Kept with the order so its history explains
//! itself without the exchange.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

/// The market as the order was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketConditions {
    /// Best bid.
    pub best_bid: Decimal,
    /// Best ask.
    pub best_ask: Decimal,
    /// `best_ask - best_bid`.
    pub spread: Decimal,
    /// The spread as a percentage of the mid price, to 8 decimal places.
    pub spread_percent: Decimal,
}

impl MarketConditions {
    /// The conditions of a book whose best levels are `best_bid` and `best_ask`; `None` when
    /// either is not positive or the book is crossed (bid above ask).
    pub fn from_book(best_bid: Decimal, best_ask: Decimal) -> Option<Self> {
        if best_bid <= Decimal::ZERO || best_ask < best_bid {
            return None;
        }
        let spread = best_ask - best_bid;
        // Halving the spread first keeps the mid price inside a Decimal for any book.
        let mid = best_bid + spread / Decimal::TWO;
        let spread_percent = crate::shared::checked::mul_div(spread, Decimal::ONE_HUNDRED, mid)?.round_dp(8);
        // In their shortest form, as every store gives them back.
        Some(Self {
            best_bid: best_bid.normalize(),
            best_ask: best_ask.normalize(),
            spread: spread.normalize(),
            spread_percent: spread_percent.normalize(),
        })
    }
}

/// The creation context of an order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreationContext {
    /// The strategy's parameters that mattered (e.g. `take_profit_percent` -> `2.5`).
    pub parameters: BTreeMap<String, String>,
    /// Indicator values behind the decision (e.g. `rsi_14` -> `27.4`).
    pub indicators: BTreeMap<String, Decimal>,
    /// The book when it was decided, when it was read.
    pub market: Option<MarketConditions>,
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn spread_is_absolute_and_relative_to_the_mid_price() {
        let m = MarketConditions::from_book(dec!(99), dec!(101)).unwrap();

        assert_eq!((m.best_bid, m.best_ask, m.spread), (dec!(99), dec!(101), dec!(2)));
        assert_eq!(m.spread_percent, dec!(2));
    }

    #[test]
    fn spread_percent_is_rounded_to_eight_places() {
        let m = MarketConditions::from_book(dec!(300000), dec!(300001)).unwrap();

        // 1 / 300000.5 * 100 = 0.000333332777...
        assert_eq!(m.spread_percent, dec!(0.00033333));
    }

    #[test]
    fn a_locked_book_has_zero_spread() {
        let m = MarketConditions::from_book(dec!(5), dec!(5)).unwrap();
        assert_eq!((m.spread, m.spread_percent), (dec!(0), dec!(0)));
    }

    #[test]
    fn crossed_or_empty_books_have_no_conditions() {
        assert_eq!(MarketConditions::from_book(dec!(101), dec!(100)), None);
        assert_eq!(MarketConditions::from_book(dec!(0), dec!(100)), None);
    }
}
