//! Bollinger Bands of the close (TA-Lib `BBANDS` with an SMA middle band).

use super::rolling::Rolling;
use super::{check_period, f, Indicator, IndicatorError};
use crate::market::Candle;

/// One reading of the bands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    /// `middle + k * σ`.
    pub upper: f64,
    /// SMA of the last `period` closes.
    pub middle: f64,
    /// `middle - k * σ`.
    pub lower: f64,
}

/// Bollinger Bands: SMA middle band ± `k` population standard deviations of the last `period`
/// closes; first value at index `period - 1`.
#[derive(Debug, Clone)]
pub struct BollingerBands {
    window: Rolling,
    k: f64,
}

impl BollingerBands {
    /// Default period.
    pub const DEFAULT_PERIOD: usize = 20;
    /// Default multiplier (TA-Lib's default for both bands).
    pub const DEFAULT_K: f64 = 2.0;

    /// Bands over `period >= 1` closes, `k` standard deviations wide (finite, positive).
    pub fn new(period: usize, k: f64) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        if !(k.is_finite() && k > 0.0) {
            return Err(IndicatorError::NotPositive { name: "k" });
        }
        Ok(Self { window: Rolling::new(period), k })
    }
}

impl Indicator for BollingerBands {
    type Output = Bands;

    fn update(&mut self, candle: &Candle) -> Option<Bands> {
        if !self.window.push(f(candle.close)) {
            return None;
        }
        let middle = self.window.mean();
        let width = self.k * self.window.std_dev();
        Some(Bands { upper: middle + width, middle, lower: middle - width })
    }
}
