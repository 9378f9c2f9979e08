//! Bollinger Bands of a series (the batch twin of `BollingerBands`).

use super::{period, reset, IndicatorError};

/// The three bands as columns, aligned with the input, `NaN` during the warm-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandColumns {
    /// `middle + k * σ`.
    pub upper: Vec<f64>,
    /// SMA of the last `period` values.
    pub middle: Vec<f64>,
    /// `middle - k * σ`.
    pub lower: Vec<f64>,
}

/// Bollinger Bands of `x`; see [`bollinger_into`].
pub fn bollinger(x: &[f64], period: usize, k: f64) -> Result<BandColumns, IndicatorError> {
    let mut out = BandColumns::default();
    bollinger_into(x, period, k, &mut out)?;
    Ok(out)
}

/// Bollinger Bands of `x` into `out`, bit-for-bit as
/// [`BollingerBands`](crate::indicators::BollingerBands): SMA middle band ± `k` population
/// standard deviations (TA-Lib `BBANDS`) of the last `period >= 1` values, `k` finite and
/// positive; first value at index `period - 1`. Running sums of `x - x[0]` and its square, updated
/// by `new - old` once the window is full; means as `sum × (1 / period)`.
pub fn bollinger_into(x: &[f64], period: usize, k: f64, out: &mut BandColumns) -> Result<(), IndicatorError> {
    let p = self::period(period)?;
    if !(k.is_finite() && k > 0.0) {
        return Err(IndicatorError::NotPositive { name: "k" });
    }
    let n = x.len();
    for column in [&mut out.upper, &mut out.middle, &mut out.lower] {
        reset(column, n);
    }
    let Some(&anchor) = x.first() else {
        return Ok(());
    };
    if n < p {
        return Ok(());
    }
    let inv_len = 1.0 / p as f64;
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    let mut band = |i: usize, sum: f64, sum_sq: f64| {
        let m = sum * inv_len;
        let middle = anchor + m;
        let width = k * (sum_sq * inv_len - m * m).max(0.0).sqrt();
        out.upper[i] = middle + width;
        out.middle[i] = middle;
        out.lower[i] = middle - width;
    };
    for &v in &x[..p] {
        let d = v - anchor;
        sum += d;
        sum_sq += d * d;
    }
    band(p - 1, sum, sum_sq);
    for (i, (&new, &old)) in x[p..].iter().zip(x).enumerate() {
        let (d, old) = (new - anchor, old - anchor);
        sum += d - old;
        sum_sq += d * d - old * old;
        band(i + p, sum, sum_sq);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_middle_plus_minus_k_population_deviations() {
        let b = bollinger(&[1.0, 3.0, 5.0], 2, 2.0).unwrap();
        assert!(b.upper[0].is_nan() && b.middle[0].is_nan() && b.lower[0].is_nan());
        // window (1, 3): mean 2, σ 1; window (3, 5): mean 4, σ 1
        assert_eq!((b.upper[1], b.middle[1], b.lower[1]), (4.0, 2.0, 0.0));
        assert_eq!((b.upper[2], b.middle[2], b.lower[2]), (6.0, 4.0, 2.0));
    }

    #[test]
    fn flat_series_has_zero_width_and_bad_parameters_are_refused() {
        let b = bollinger(&[7.0; 5], 3, 2.0).unwrap();
        assert_eq!(&b.upper[2..], [7.0; 3]);
        assert_eq!(&b.lower[2..], [7.0; 3]);
        assert!(matches!(bollinger(&[1.0], 1, 0.0), Err(IndicatorError::NotPositive { name: "k" })));
        assert!(matches!(bollinger(&[1.0], 1, f64::NAN), Err(IndicatorError::NotPositive { name: "k" })));
        assert!(matches!(bollinger(&[1.0], 0, 2.0), Err(IndicatorError::PeriodTooShort { .. })));
    }
}
