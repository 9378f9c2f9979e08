//! Realised volatility: dispersion of log returns.

use super::rolling::Rolling;
use super::{check_period, f, Indicator, IndicatorError};
use crate::market::Candle;

/// Population standard deviation of the last `period` log returns `ln(close[i] / close[i-1])`,
/// per candle (not annualised: multiply by `sqrt(candles per year)` to annualise). The first
/// value is at index `period`. A non-positive close makes the return undefined; such a candle
/// yields `None` and restarts the window.
#[derive(Debug, Clone)]
pub struct Volatility {
    period: usize,
    prev_close: Option<f64>,
    window: Rolling,
}

impl Volatility {
    /// Default period.
    pub const DEFAULT_PERIOD: usize = 20;

    /// Volatility over `period >= 2` returns.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 2)?;
        Ok(Self { period, prev_close: None, window: Rolling::new(period) })
    }
}

impl Indicator for Volatility {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let close = f(candle.close);
        if close <= 0.0 {
            *self = Self { period: self.period, prev_close: None, window: Rolling::new(self.period) };
            return None;
        }
        let prev = self.prev_close.replace(close)?;
        self.window.push((close / prev).ln()).then(|| self.window.std_dev())
    }
}
