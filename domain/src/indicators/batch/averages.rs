//! Simple and exponential moving averages of a series (the batch twins of `Sma` and `Ema`).

use super::{period, reset, IndicatorError};
use crate::indicators::smoothing::Smoothing;

/// SMA of `x` over `period` values; first value at index `period - 1`. See [`sma_into`].
pub fn sma(x: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut out = Vec::new();
    sma_into(x, period, &mut out)?;
    Ok(out)
}

/// SMA of `x` over `period >= 1` values into `out`, bit-for-bit as [`Sma`](crate::indicators::Sma):
/// a running sum of `x - x[0]` (the anchor keeps sums of prices in the thousands small) that
/// adds `new - old` once the window is full, times `1 / period`.
pub fn sma_into(x: &[f64], period: usize, out: &mut Vec<f64>) -> Result<(), IndicatorError> {
    let p = self::period(period)?;
    reset(out, x.len());
    let Some(&anchor) = x.first() else {
        return Ok(());
    };
    if x.len() < p {
        return Ok(());
    }
    let inv_len = 1.0 / p as f64;
    let mut sum = 0.0;
    for &v in &x[..p] {
        sum += v - anchor;
    }
    out[p - 1] = anchor + sum * inv_len;
    for ((o, &new), &old) in out[p..].iter_mut().zip(&x[p..]).zip(x) {
        sum += (new - anchor) - (old - anchor);
        *o = anchor + sum * inv_len;
    }
    Ok(())
}

/// EMA of `x` over `period` values; first value at index `period - 1`. See [`ema_into`].
pub fn ema(x: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let mut out = Vec::new();
    ema_into(x, period, &mut out)?;
    Ok(out)
}

/// EMA of `x` over `period >= 1` values into `out`, bit-for-bit as [`Ema`](crate::indicators::Ema):
/// seeded with the mean of the first `period` values, then `ema += (x - ema) * k`,
/// `k = 2 / (period + 1)` (TA-Lib's default, non-Metastock), evaluated as `ema × (1 - k) + x × k`.
pub fn ema_into(x: &[f64], period: usize, out: &mut Vec<f64>) -> Result<(), IndicatorError> {
    let p = self::period(period)?;
    reset(out, x.len());
    if x.len() < p {
        return Ok(());
    }
    let smoothing = Smoothing::ema(p);
    let mut value = 0.0;
    for &v in &x[..p] {
        value += v;
    }
    value /= p as f64;
    out[p - 1] = value;
    for (o, &v) in out[p..].iter_mut().zip(&x[p..]) {
        value = smoothing.next(value, v);
        *o = value;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sma_and_ema_warm_up_then_average() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let s = sma(&x, 2).unwrap();
        assert!(s[0].is_nan());
        assert_eq!(&s[1..], [1.5, 2.5, 3.5]);
        let e = ema(&x, 2).unwrap();
        assert!(e[0].is_nan());
        // seed 1.5, then k = 2/3: 1.5 + (3 - 1.5) * 2/3 = 2.5, 2.5 + 1.5 * 2/3 = 3.5
        assert_eq!(&e[1..], [1.5, 2.5, 3.5]);
    }

    #[test]
    fn too_few_values_are_all_warm_up_and_period_zero_is_refused() {
        assert!(sma(&[1.0, 2.0], 3).unwrap().iter().all(|v| v.is_nan()));
        assert!(ema(&[1.0, 2.0], 3).unwrap().iter().all(|v| v.is_nan()));
        assert!(sma(&[], 1).unwrap().is_empty());
        assert!(matches!(sma(&[1.0], 0), Err(IndicatorError::PeriodTooShort { .. })));
        assert!(matches!(ema(&[1.0], 0), Err(IndicatorError::PeriodTooShort { .. })));
    }
}
