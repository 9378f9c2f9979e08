//! Volume-weighted average price, cumulative since the start or the last reset.

use super::{f, typical_price, Indicator};
use crate::market::Candle;

/// `Σ(typical price × volume) / Σ volume` over every candle since the indicator was created or
/// last [`reset`](Vwap::reset), with typical price `(high + low + close) / 3`. Call `reset` at a
/// session boundary (for example each UTC midnight) for a session VWAP. `None` while no volume
/// has traded yet.
#[derive(Debug, Clone, Default)]
pub struct Vwap {
    price_volume: f64,
    volume: f64,
}

impl Vwap {
    /// A fresh VWAP.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a new session: forgets every candle seen so far.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

impl Indicator for Vwap {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let volume = f(candle.volume);
        self.price_volume += typical_price(candle) * volume;
        self.volume += volume;
        (self.volume > 0.0).then(|| self.price_volume / self.volume)
    }
}
