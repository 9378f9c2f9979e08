//! Maximum drawdown: the largest fall of equity from a running peak to a later trough, as a share
//! of the peak, with its amount and dates.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{EquityPoint, Figure, Unavailable};

/// The deepest fall of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drawdown {
    /// How much equity fell, in the quote currency (>= 0).
    pub amount: Decimal,
    /// The fall as a percentage of the peak, 0 to 100 while equity stays >= 0, rounded half-even
    /// to 8 places.
    pub percent: Decimal,
    /// When the peak was.
    pub peak_at: OffsetDateTime,
    /// When the trough was.
    pub trough_at: OffsetDateTime,
}

/// The deepest fall by percentage of its peak (the first when several are as deep); zero, at the
/// first point, when equity never falls. Errors: `TooFewDays` for an empty series,
/// `NonPositiveEquity` when a running peak is zero or less.
pub fn max_drawdown(points: &[EquityPoint]) -> Figure<Drawdown> {
    let first = points.first().ok_or(Unavailable::TooFewDays)?;
    let mut peak = *first;
    let (mut worst_amount, mut worst_peak, mut worst_peak_at, mut worst_trough_at) =
        (Decimal::ZERO, first.equity, first.at, first.at);
    for point in points {
        if point.equity > peak.equity {
            peak = *point;
        }
        if peak.equity <= Decimal::ZERO {
            return Err(Unavailable::NonPositiveEquity);
        }
        let amount = peak.equity.checked_sub(point.equity).ok_or(Unavailable::Overflow)?;
        // amount / peak.equity > worst_amount / worst_peak, without rounding a division.
        let deeper = amount.checked_mul(worst_peak).ok_or(Unavailable::Overflow)?
            > worst_amount.checked_mul(peak.equity).ok_or(Unavailable::Overflow)?;
        if deeper {
            (worst_amount, worst_peak, worst_peak_at, worst_trough_at) = (amount, peak.equity, peak.at, point.at);
        }
    }
    if worst_peak <= Decimal::ZERO {
        return Err(Unavailable::NonPositiveEquity);
    }
    let percent = worst_amount.checked_mul(Decimal::ONE_HUNDRED).ok_or(Unavailable::Overflow)? / worst_peak;
    Ok(Drawdown {
        amount: worst_amount,
        percent: percent.round_dp(8),
        peak_at: worst_peak_at,
        trough_at: worst_trough_at,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;
    use time::Duration;

    use super::*;

    fn series(values: &[Decimal]) -> Vec<EquityPoint> {
        let start = datetime!(2026-01-01 0:00 UTC);
        values
            .iter()
            .enumerate()
            .map(|(i, v)| EquityPoint {
                at: start + Duration::days(i as i64),
                equity: *v,
                cumulative_pnl: *v - values[0],
            })
            .collect()
    }

    /// The worked example of `docs/analytics.md`.
    #[test]
    fn the_deepest_fall_by_share_of_its_peak() {
        let dd = max_drawdown(&series(&[dec!(1000), dec!(1200), dec!(900), dec!(1500), dec!(1300)])).unwrap();
        assert_eq!((dd.amount, dd.percent), (dec!(300), dec!(25)));
        assert_eq!((dd.peak_at, dd.trough_at), (datetime!(2026-01-02 0:00 UTC), datetime!(2026-01-03 0:00 UTC)));
    }

    #[test]
    fn rising_equity_has_no_drawdown_and_empty_has_a_reason() {
        let dd = max_drawdown(&series(&[dec!(1), dec!(2)])).unwrap();
        assert_eq!((dd.amount, dd.percent), (Decimal::ZERO, Decimal::ZERO));
        assert_eq!(max_drawdown(&[]), Err(Unavailable::TooFewDays));
        assert_eq!(max_drawdown(&series(&[dec!(0), dec!(0)])), Err(Unavailable::NonPositiveEquity));
    }
}
