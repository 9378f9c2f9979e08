//! On-balance volume (TA-Lib `OBV`).

use rust_decimal::Decimal;

use super::{f, Indicator};
use crate::market::Candle;

/// Running total of volume, added on an up close and subtracted on a down close (unchanged on
/// an equal close). As TA-Lib, the first value, at index 0, is the first candle's volume.
/// Summed exactly in `Decimal`; the output is converted to `f64`.
#[derive(Debug, Clone, Default)]
pub struct Obv {
    prev_close: Option<Decimal>,
    total: Decimal,
}

impl Obv {
    /// A fresh OBV.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Indicator for Obv {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        match self.prev_close.replace(candle.close) {
            None => self.total = candle.volume,
            Some(prev) if candle.close > prev => self.total += candle.volume,
            Some(prev) if candle.close < prev => self.total -= candle.volume,
            Some(_) => {}
        }
        Some(f(self.total))
    }
}
