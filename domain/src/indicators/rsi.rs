//! Relative strength index with Wilder smoothing (TA-Lib `RSI`).

use super::smoothing::Smoothing;
use super::{check_period, f, Indicator, IndicatorError};
use crate::market::Candle;

/// RSI of the close over `period` changes.
///
/// The first value is at index `period`: the average gain and loss are the simple means of the
/// first `period` close-to-close changes; afterwards `avg = (avg * (period - 1) + x) / period`
/// (evaluated as `value × decay + x × weight`, see `smoothing.rs`).
/// `RSI = 100 * avg_gain / (avg_gain + avg_loss)`, and 0 when both averages are zero (as TA-Lib).
#[derive(Debug, Clone)]
pub struct Rsi {
    period: usize,
    smoothing: Smoothing,
    prev_close: Option<f64>,
    changes: usize,
    avg_gain: f64,
    avg_loss: f64,
}

impl Rsi {
    /// Default period (TA-Lib's default).
    pub const DEFAULT_PERIOD: usize = 14;

    /// An RSI over `period >= 1` changes.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        Ok(Self {
            period,
            smoothing: Smoothing::wilder(period),
            prev_close: None,
            changes: 0,
            avg_gain: 0.0,
            avg_loss: 0.0,
        })
    }

    fn value(&self) -> f64 {
        let total = self.avg_gain + self.avg_loss;
        if total == 0.0 {
            0.0
        } else {
            100.0 * self.avg_gain / total
        }
    }
}

impl Indicator for Rsi {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let close = f(candle.close);
        let prev = self.prev_close.replace(close)?;
        let change = close - prev;
        let (gain, loss) = if change > 0.0 { (change, 0.0) } else { (0.0, -change) };
        let p = self.period as f64;
        self.changes = self.changes.saturating_add(1);
        if self.changes < self.period {
            self.avg_gain += gain;
            self.avg_loss += loss;
            return None;
        }
        if self.changes == self.period {
            self.avg_gain = (self.avg_gain + gain) / p;
            self.avg_loss = (self.avg_loss + loss) / p;
        } else {
            self.avg_gain = self.smoothing.next(self.avg_gain, gain);
            self.avg_loss = self.smoothing.next(self.avg_loss, loss);
        }
        Some(self.value())
    }
}
