//! Average true range with Wilder smoothing (TA-Lib `ATR`).

use super::smoothing::Smoothing;
use super::{check_period, f, Indicator, IndicatorError};
use crate::market::Candle;

/// ATR over `period` true ranges.
///
/// `TR[i] = max(high - low, |high - close[i-1]|, |low - close[i-1]|)` exists from index 1. The
/// first ATR, at index `period`, is the mean of `TR[1..=period]`; afterwards
/// `ATR = (ATR * (period - 1) + TR) / period` (evaluated as `value × decay + x × weight`, see `smoothing.rs`).
#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    smoothing: Smoothing,
    prev_close: Option<f64>,
    ranges: usize,
    value: f64,
}

impl Atr {
    /// Default period (TA-Lib's default).
    pub const DEFAULT_PERIOD: usize = 14;

    /// An ATR over `period >= 1` true ranges.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        Ok(Self { period, smoothing: Smoothing::wilder(period), prev_close: None, ranges: 0, value: 0.0 })
    }
}

impl Indicator for Atr {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let (high, low) = (f(candle.high), f(candle.low));
        let prev = self.prev_close.replace(f(candle.close))?;
        let tr = (high - low).max((high - prev).abs()).max((low - prev).abs());
        let p = self.period as f64;
        self.ranges = self.ranges.saturating_add(1);
        if self.ranges < self.period {
            self.value += tr;
            return None;
        }
        if self.ranges == self.period {
            self.value = (self.value + tr) / p;
        } else {
            self.value = self.smoothing.next(self.value, tr);
        }
        Some(self.value)
    }
}
