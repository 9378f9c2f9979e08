//! Volume against its moving average.

use super::rolling::Rolling;
use super::{check_period, f, Indicator, IndicatorError};
use crate::market::Candle;

/// `volume / SMA(volume, period)`, where the SMA includes the current candle; first value at
/// index `period - 1`. Above 1 the candle traded more than its recent average. `None` also when
/// the average volume is zero (no trades in the whole window).
#[derive(Debug, Clone)]
pub struct VolumeRatio {
    window: Rolling,
}

impl VolumeRatio {
    /// Default period.
    pub const DEFAULT_PERIOD: usize = 20;

    /// A ratio against the SMA of the last `period >= 1` volumes.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        Ok(Self { window: Rolling::new(period) })
    }
}

impl Indicator for VolumeRatio {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let volume = f(candle.volume);
        if !self.window.push(volume) {
            return None;
        }
        let mean = self.window.mean();
        (mean > 0.0).then(|| volume / mean)
    }
}
