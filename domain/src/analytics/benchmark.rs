//! The market comparison: what the book's equity at the start of the series would be worth had it
//! bought BTC and held it, point by point, from the exchange's candles.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::EquityPoint;
use crate::market::Candle;

/// One point of the buy-and-hold comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldPoint {
    /// When (the series point's instant).
    pub at: OffsetDateTime,
    /// BTC's price then: the close of the last candle that opened before `at`.
    pub price: Decimal,
    /// The series' first equity, bought into BTC at the first price and held.
    pub equity: Decimal,
    /// `(price / first price - 1) * 100`, rounded half-even to 4 places.
    pub return_percent: Decimal,
}

/// The price at `at`: the close of the last candle opened before it, or the first candle's open
/// when every candle opened later (the window reaches before the candles served).
fn price_at(candles: &[Candle], at: OffsetDateTime) -> Option<Decimal> {
    let opened_before = candles.partition_point(|c| c.open_time < at);
    match opened_before {
        0 => candles.first().map(|c| c.open),
        n => Some(candles[n - 1].close),
    }
}

/// Buy-and-hold at every point of `points`, from `candles` (oldest first). `None` when there are
/// no candles or the first price is not positive.
pub fn buy_and_hold(points: &[EquityPoint], candles: &[Candle]) -> Option<Vec<HoldPoint>> {
    let first = points.first()?;
    let first_price = price_at(candles, first.at).filter(|p| *p > Decimal::ZERO)?;
    points
        .iter()
        .map(|p| {
            let price = price_at(candles, p.at)?;
            let ratio = price.checked_div(first_price)?;
            Some(HoldPoint {
                at: p.at,
                price,
                equity: first.equity.checked_mul(ratio)?.round_dp(8),
                return_percent: ((ratio - Decimal::ONE) * Decimal::ONE_HUNDRED).round_dp(4),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;
    use time::Duration;

    use super::*;

    fn candle(open_time: OffsetDateTime, open: Decimal, close: Decimal) -> Candle {
        Candle {
            open_time,
            open,
            high: open.max(close),
            low: open.min(close),
            close,
            volume: dec!(1),
            quote_volume: None,
        }
    }

    #[test]
    fn holds_the_first_equity_in_btc() {
        let day = datetime!(2026-01-01 0:00 UTC);
        let candles = [candle(day, dec!(100), dec!(110)), candle(day + Duration::DAY, dec!(110), dec!(99))];
        let point = |at, equity| EquityPoint { at, equity, cumulative_pnl: Decimal::ZERO };
        let points =
            [point(day, dec!(500)), point(day + Duration::DAY, dec!(510)), point(day + Duration::hours(30), dec!(520))];
        let hold = buy_and_hold(&points, &candles).unwrap();
        let shape: Vec<_> = hold.iter().map(|h| (h.price, h.equity, h.return_percent)).collect();
        assert_eq!(
            shape,
            vec![(dec!(100), dec!(500), dec!(0)), (dec!(110), dec!(550), dec!(10)), (dec!(99), dec!(495), dec!(-1))]
        );
        assert_eq!(buy_and_hold(&points, &[]), None);
    }
}
