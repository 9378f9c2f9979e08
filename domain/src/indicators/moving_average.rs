//! Simple and exponential moving averages of the close (TA-Lib `SMA`, `EMA`).

use super::rolling::Rolling;
use super::smoothing::Smoothing;
use super::{check_period, f, Indicator, IndicatorError};
use crate::market::Candle;

/// Simple moving average of the last `period` closes; first value at index `period - 1`.
#[derive(Debug, Clone)]
pub struct Sma {
    window: Rolling,
}

impl Sma {
    /// Default period (TA-Lib's default is 30; 20 is the common chart default used here).
    pub const DEFAULT_PERIOD: usize = 20;

    /// An SMA over `period >= 1` closes.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        Ok(Self { window: Rolling::new(period) })
    }
}

impl Indicator for Sma {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        self.window.push(f(candle.close)).then(|| self.window.mean())
    }
}

/// Exponential moving average of the close, `k = 2 / (period + 1)`, seeded with the SMA of the
/// first `period` closes; first value at index `period - 1` (TA-Lib's default, non-Metastock).
/// The step `ema += (close - ema) * k` is evaluated as `ema × (1 - k) + close × k` (see `smoothing.rs`).
#[derive(Debug, Clone)]
pub struct Ema {
    period: usize,
    smoothing: Smoothing,
    seen: usize,
    seed_sum: f64,
    value: f64,
}

impl Ema {
    /// Default period.
    pub const DEFAULT_PERIOD: usize = 20;

    /// An EMA over `period >= 1` closes.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        Ok(Self { period, smoothing: Smoothing::ema(period), seen: 0, seed_sum: 0.0, value: 0.0 })
    }
}

impl Indicator for Ema {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let close = f(candle.close);
        self.seen = self.seen.saturating_add(1);
        if self.seen < self.period {
            self.seed_sum += close;
            return None;
        }
        if self.seen == self.period {
            self.seed_sum += close;
            self.value = self.seed_sum / self.period as f64;
        } else {
            self.value = self.smoothing.next(self.value, close);
        }
        Some(self.value)
    }
}
