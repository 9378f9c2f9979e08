//! Average true range with Wilder smoothing (TA-Lib `ATR`).

use super::smoothing::{BlockSmoothing, Smoothing, BLOCK};
use super::{check_period, f, Indicator, IndicatorError};
use crate::market::Candle;

/// ATR over `period` true ranges.
///
/// `TR[i] = max(high - low, |high - close[i-1]|, |low - close[i-1]|)` exists from index 1. The
/// first ATR, at index `period`, is the mean of `TR[1..=period]`; afterwards
/// `ATR = (ATR * (period - 1) + TR) / period` (evaluated as `value × decay + x × weight`, in blocks
/// of four steps from the seed, as the batch kernel does: see `BlockSmoothing` in `smoothing.rs`).
#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    smoothing: BlockSmoothing,
    prev_close: Option<f64>,
    ranges: usize,
    /// The running sum of the first ranges, then the value before the current block.
    anchor: f64,
    /// The current block's sum, and how many of its steps are done.
    block: (f64, usize),
}

impl Atr {
    /// Default period (TA-Lib's default).
    pub const DEFAULT_PERIOD: usize = 14;

    /// An ATR over `period >= 1` true ranges.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        Ok(Self {
            period,
            smoothing: BlockSmoothing::new(Smoothing::wilder(period)),
            prev_close: None,
            ranges: 0,
            anchor: 0.0,
            block: (0.0, 0),
        })
    }
}

impl Indicator for Atr {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let (high, low) = (f(candle.high), f(candle.low));
        let prev = self.prev_close.replace(f(candle.close))?;
        let tr = true_range(high, low, prev);
        let p = self.period as f64;
        self.ranges = self.ranges.saturating_add(1);
        if self.ranges < self.period {
            self.anchor += tr;
            return None;
        }
        if self.ranges == self.period {
            self.anchor = (self.anchor + tr) / p;
            return Some(self.anchor);
        }
        let (sum, k) = self.block;
        let sum = self.smoothing.sum(sum, tr);
        let value = self.smoothing.value(self.anchor, k, sum);
        self.block = if k + 1 == BLOCK {
            self.anchor = value;
            (0.0, 0)
        } else {
            (sum, k + 1)
        };
        Some(value)
    }
}

/// `max(high - low, |high - prev_close|, |low - prev_close|)`, as TA-Lib's `ATR` and `TRANGE`
/// compare. Plain comparisons rather than `f64::max` (which also orders `NaN`s, at several
/// instructions a call): prices are finite, and the batch kernel and this twin share it.
#[inline]
pub(crate) fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    let greater = |a: f64, b: f64| if a > b { a } else { b };
    greater(greater(high - low, (high - prev_close).abs()), (low - prev_close).abs())
}
