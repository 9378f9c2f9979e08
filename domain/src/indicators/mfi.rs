//! Money flow index (TA-Lib `MFI`).

use std::collections::VecDeque;

use rust_decimal::Decimal;

use super::{check_period, f, hlc_sum, Indicator, IndicatorError};
use crate::market::Candle;

/// MFI over `period` money flows; first value at index `period`.
///
/// Typical price `tp = (high + low + close) / 3`, raw money flow `tp × volume`. From index 1 a
/// flow is positive when `tp` rose from the previous candle, negative when it fell, and counts
/// as neither when unchanged. `MFI = 100 × Σpositive / (Σpositive + Σnegative)` over the last
/// `period` flows, and 0 when that total is below 1 (TA-Lib's guard). Flows are summed exactly
/// in `Decimal` (as `3 × tp × volume`), so the window sums never drift.
#[derive(Debug, Clone)]
pub struct Mfi {
    period: usize,
    prev_hlc: Option<Decimal>,
    flows: VecDeque<(Decimal, Decimal)>,
    positive: Decimal,
    negative: Decimal,
}

impl Mfi {
    /// Default period (TA-Lib's default).
    pub const DEFAULT_PERIOD: usize = 14;

    /// An MFI over `period >= 1` flows.
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("period", period, 1)?;
        Ok(Self {
            period,
            prev_hlc: None,
            flows: VecDeque::with_capacity(period + 1),
            positive: Decimal::ZERO,
            negative: Decimal::ZERO,
        })
    }
}

impl Indicator for Mfi {
    type Output = f64;

    fn update(&mut self, candle: &Candle) -> Option<f64> {
        let hlc = hlc_sum(candle);
        let prev = self.prev_hlc.replace(hlc)?;
        let flow = hlc * candle.volume;
        let (pos, neg) = if hlc > prev {
            (flow, Decimal::ZERO)
        } else if hlc < prev {
            (Decimal::ZERO, flow)
        } else {
            (Decimal::ZERO, Decimal::ZERO)
        };
        self.flows.push_back((pos, neg));
        self.positive += pos;
        self.negative += neg;
        if self.flows.len() > self.period {
            if let Some((old_pos, old_neg)) = self.flows.pop_front() {
                self.positive -= old_pos;
                self.negative -= old_neg;
            }
        }
        if self.flows.len() < self.period {
            return None;
        }
        // Sums are of 3 × tp × volume: TA-Lib's "total < 1" guard becomes "< 3".
        let total = self.positive + self.negative;
        if total < Decimal::from(3) {
            return Some(0.0);
        }
        Some(100.0 * f(self.positive) / f(total))
    }
}
