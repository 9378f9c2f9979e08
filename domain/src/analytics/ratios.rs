//! Daily returns and the risk-adjusted ratios built on them: Sharpe and Sortino, annualised with
//! `sqrt(365)` because crypto markets trade every day of the year (stock markets use 252).
//!
//! Returns, their mean and their variance are exact `Decimal`s; only the square root is taken in
//! `f64` (Decimal has none), so each ratio is `f64`, accurate to about 1e-15 relative.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{EquityPoint, Figure, Unavailable};

/// Days in a year of crypto trading: the annualisation factor is `sqrt(DAYS_PER_YEAR)`.
pub const DAYS_PER_YEAR: u32 = 365;

fn checked_sum<'a>(values: impl IntoIterator<Item = &'a Decimal>) -> Figure<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v).ok_or(Unavailable::Overflow))
}

/// The returns between consecutive points of a daily series: `equity[i] / equity[i-1] - 1`.
/// Errors: `NonPositiveEquity` when a return would start from zero or less.
pub fn daily_returns(points: &[EquityPoint]) -> Figure<Vec<Decimal>> {
    points
        .windows(2)
        .map(|pair| {
            let (before, after) = (pair[0].equity, pair[1].equity);
            if before <= Decimal::ZERO {
                return Err(Unavailable::NonPositiveEquity);
            }
            let change = after.checked_sub(before).ok_or(Unavailable::Overflow)?;
            change.checked_div(before).ok_or(Unavailable::Overflow)
        })
        .collect()
}

/// Each return minus the daily risk-free rate (`annual / 365`), and their mean.
fn excess(returns: &[Decimal], risk_free_annual: Decimal) -> Figure<(Vec<Decimal>, Decimal)> {
    if returns.len() < 2 {
        return Err(Unavailable::TooFewDays);
    }
    let daily_rf = risk_free_annual / Decimal::from(DAYS_PER_YEAR);
    let excess: Vec<Decimal> =
        returns.iter().map(|r| r.checked_sub(daily_rf).ok_or(Unavailable::Overflow)).collect::<Figure<_>>()?;
    let mean = checked_sum(&excess)? / Decimal::from(excess.len());
    Ok((excess, mean))
}

fn annualised(mean: Decimal, variance: Decimal) -> Figure<f64> {
    let (mean, variance) =
        (mean.to_f64().ok_or(Unavailable::Overflow)?, variance.to_f64().ok_or(Unavailable::Overflow)?);
    let ratio = mean / variance.sqrt() * f64::from(DAYS_PER_YEAR).sqrt();
    if ratio.is_finite() {
        Ok(ratio)
    } else {
        Err(Unavailable::Overflow)
    }
}

fn squares<'a>(values: impl Iterator<Item = &'a Decimal>, centre: Decimal) -> Figure<Vec<Decimal>> {
    values
        .map(|v| {
            let d = v.checked_sub(centre).ok_or(Unavailable::Overflow)?;
            d.checked_mul(d).ok_or(Unavailable::Overflow)
        })
        .collect()
}

/// Sharpe ratio: mean excess daily return over its sample standard deviation (n - 1), times
/// `sqrt(365)`. Errors: `TooFewDays` (fewer than 2 returns), `ZeroVariance`.
pub fn sharpe(returns: &[Decimal], risk_free_annual: Decimal) -> Figure<f64> {
    let (excess, mean) = excess(returns, risk_free_annual)?;
    let variance = checked_sum(&squares(excess.iter(), mean)?)? / Decimal::from(excess.len() - 1);
    if variance.is_zero() {
        return Err(Unavailable::ZeroVariance);
    }
    annualised(mean, variance)
}

/// Sortino ratio: mean excess daily return over the downside deviation
/// `sqrt(sum(min(0, excess)^2) / n)` (every day counts in `n`), times `sqrt(365)`.
/// Errors: `TooFewDays`, `NoDownside` (no return below the risk-free rate).
pub fn sortino(returns: &[Decimal], risk_free_annual: Decimal) -> Figure<f64> {
    let (excess, mean) = excess(returns, risk_free_annual)?;
    let downside = squares(excess.iter().filter(|e| e.is_sign_negative() && !e.is_zero()), Decimal::ZERO)?;
    let variance = checked_sum(&downside)? / Decimal::from(excess.len());
    if variance.is_zero() {
        return Err(Unavailable::NoDownside);
    }
    annualised(mean, variance)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    /// The worked example of `docs/analytics.md`: returns +1%, -0.5%, +2%.
    #[test]
    fn sharpe_and_sortino_of_the_worked_example() {
        let returns = [dec!(0.01), dec!(-0.005), dec!(0.02)];
        // Expected values from Python (statistics.stdev, math.sqrt): mean 0.008333..., sample sd
        // 0.012583..., sqrt(365) 19.1049...
        let sharpe = sharpe(&returns, Decimal::ZERO).unwrap();
        assert!((sharpe - 12.652_577_575_270_803).abs() < 1e-9, "{sharpe}");
        // downside deviation sqrt(0.000025 / 3) = 0.0028867...
        let sortino = sortino(&returns, Decimal::ZERO).unwrap();
        assert!((sortino - 55.151_307_025_914_32).abs() < 1e-9, "{sortino}");
    }

    #[test]
    fn degenerate_returns_have_reasons_not_nan() {
        assert_eq!(sharpe(&[dec!(0.01)], Decimal::ZERO), Err(Unavailable::TooFewDays));
        assert_eq!(sharpe(&[dec!(0.01), dec!(0.01)], Decimal::ZERO), Err(Unavailable::ZeroVariance));
        assert_eq!(sortino(&[dec!(0.01), dec!(0.02)], Decimal::ZERO), Err(Unavailable::NoDownside));
    }

    #[test]
    fn a_risk_free_rate_lowers_the_ratios() {
        let returns = [dec!(0.01), dec!(-0.005), dec!(0.02)];
        assert!(sharpe(&returns, dec!(0.05)).unwrap() < sharpe(&returns, Decimal::ZERO).unwrap());
    }
}
