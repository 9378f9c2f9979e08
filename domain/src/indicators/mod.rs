//! Technical indicators over [`Candle`]s, following TA-Lib's definitions and warm-up periods.
//!
//! Every indicator is a small state machine implementing [`Indicator`]: feed it one candle at a
//! time with [`Indicator::update`] (O(1) per candle; the volume profile is O(buckets)) and it
//! answers `None` while warming up, then `Some(value)`. [`Indicator::series`] runs a fresh copy
//! over a whole slice and returns one entry per input candle, aligned with the input.
//!
//! Prices and volumes stay `Decimal` in the candles; they become `f64` only inside the maths
//! here, and the outputs are `f64`. Definitions, parameters and defaults: `docs/indicators.md`.

mod atr;
pub mod batch;
mod bollinger;
mod columns;
mod mfi;
mod moving_average;
mod obv;
mod rolling;
mod rsi;
mod smoothing;
mod volatility;
mod volume_profile;
mod volume_ratio;
mod vwap;

pub use atr::Atr;
pub use bollinger::{Bands, BollingerBands};
pub use columns::Columns;
pub use mfi::Mfi;
pub use moving_average::{Ema, Sma};
pub use obv::Obv;
pub use rsi::Rsi;
pub use volatility::Volatility;
pub use volume_profile::{PriceBucket, VolumeProfile};
pub use volume_ratio::VolumeRatio;
pub use vwap::Vwap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::market::Candle;

/// Why an indicator could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    /// A period or window of zero candles.
    #[error("{name} must be at least {min}, got {got}")]
    PeriodTooShort {
        /// The parameter's name.
        name: &'static str,
        /// The smallest accepted value.
        min: usize,
        /// The value given.
        got: usize,
    },
    /// A multiplier or width that is not a finite positive number.
    #[error("{name} must be finite and positive")]
    NotPositive {
        /// The parameter's name.
        name: &'static str,
    },
}

/// A streaming indicator: one update per new candle, `None` until warmed up.
pub trait Indicator: Clone {
    /// What one update yields once warmed up.
    type Output;

    /// Takes the next candle (oldest first) and returns the indicator's value at it.
    fn update(&mut self, candle: &Candle) -> Option<Self::Output>;

    /// Runs a copy of this indicator (normally just built, so fresh) over `candles`, oldest
    /// first; the result has one entry per candle, `None` during warm-up. `self` is untouched.
    fn series(&self, candles: &[Candle]) -> Vec<Option<Self::Output>> {
        let mut fresh = self.clone();
        candles.iter().map(|c| fresh.update(c)).collect()
    }
}

/// Checks that a period is at least `min`.
fn check_period(name: &'static str, got: usize, min: usize) -> Result<usize, IndicatorError> {
    if got < min {
        return Err(IndicatorError::PeriodTooShort { name, min, got });
    }
    Ok(got)
}

/// A decimal as `f64` for the maths (NaN never arises from a finite decimal).
///
/// Bit for bit `value.to_f64()`, which divides the 96-bit mantissa as a `u128` (a slow software
/// division): a mantissa below 2^64 with at most 19 decimals (any real price or volume) takes
/// the same steps in `u64` arithmetic, several times faster. Checked against `to_f64` by a
/// property test.
fn f(value: Decimal) -> f64 {
    const POW10: [u64; 20] = {
        let mut table = [1u64; 20];
        let mut i = 1;
        while i < 20 {
            table[i] = table[i - 1] * 10;
            i += 1;
        }
        table
    };
    let scale = value.scale() as usize;
    let mantissa = value.mantissa().unsigned_abs();
    let (Some(&precision), Ok(mantissa)) = (POW10.get(scale), u64::try_from(mantissa)) else {
        return value.to_f64().unwrap_or(f64::NAN);
    };
    if scale == 0 {
        return value.to_f64().unwrap_or(f64::NAN);
    }
    // rust_decimal's as_f64: integral part plus fraction, then rounded to `scale` decimals.
    let integral = (mantissa / precision) as f64;
    let fraction = (mantissa % precision) as f64 / precision as f64;
    let magnitude = if fraction == 0.0 {
        integral
    } else {
        // 10^scale is exact in f64 up to 10^22, as `powi` computes it.
        let round_to = precision as f64;
        ((integral + fraction) * round_to).round() / round_to
    };
    if value.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

/// Typical price (high + low + close) / 3, as `f64`.
fn typical_price(candle: &Candle) -> f64 {
    (f(candle.high) + f(candle.low) + f(candle.close)) / 3.0
}

/// high + low + close, exact: compares typical prices without rounding.
fn hlc_sum(candle: &Candle) -> Decimal {
    candle.high + candle.low + candle.close
}

#[cfg(test)]
mod conversion_tests {
    use proptest::prelude::*;
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;

    proptest! {
        #[test]
        fn f_is_to_f64_bit_for_bit(lo in any::<u32>(), mid in any::<u32>(), hi in 0u32..4, negative: bool, scale in 0u32..=28, small: bool) {
            // `small`: mantissas of real prices (below 2^53); otherwise anything up to 2^66.
            let (mid, hi) = if small { (mid & 0x1f_ffff, 0) } else { (mid, hi) };
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(super::f(value).to_bits(), value.to_f64().unwrap().to_bits());
        }
    }
}
