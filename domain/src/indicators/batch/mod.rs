//! Batch kernels: whole-series indicators over `f64` columns, at TA-Lib speed.
//!
//! The streaming indicators (`Sma`, `Rsi` ...) take one [`Candle`](crate::market::Candle) at a
//! time and convert its `Decimal` prices on every update. When a whole history is at hand (the
//! analysis of a market at the top of the hour, a backtest, a chart), convert the candles once
//! into [`Columns`](super::Columns) and run these kernels over them: plain loops over `f64`
//! slices, O(n), no allocation per candle and no `Decimal` in the loop.
//!
//! Conventions, for every kernel:
//! - the output has one entry per input candle, aligned with the input, and is `NaN` during the
//!   warm-up: exactly where the streaming twin answers `None` (its "first value" index in
//!   `docs/indicators.md`); all `NaN` when there are fewer candles than the warm-up;
//! - `*_into` variants write into a caller's `Vec` (cleared, then filled), so a caller looping
//!   over many series reuses one buffer; the plain variants return a new `Vec`;
//! - parameters are checked as the streaming constructors check them (same [`IndicatorError`]).
//!
//! Numerics: SMA, EMA, RSI, ATR and Bollinger run the very operations of their streaming twins in
//! the same order, so their outputs are bit-for-bit equal. MFI and OBV are summed in `f64` (the
//! streaming ones sum exactly in `Decimal`): MFI's window sums are rebuilt from at most `period`
//! non-negative terms each (no running subtraction, so no drift), OBV keeps a plain running total
//! as TA-Lib does; both stay within 1e-12 relative of their exact twins on the fixture.

mod averages;
mod bands;
mod volume;
mod wilder;

pub use averages::{ema, ema_into, sma, sma_into};
pub use bands::{bollinger, bollinger_into, BandColumns};
pub use volume::{mfi, mfi_into, obv, obv_into};
pub use wilder::{atr, atr_into, rsi, rsi_into};

use super::check_period;
pub use super::IndicatorError;

/// Empties `out` and fills it with `n` warm-up values (`NaN`).
fn reset(out: &mut Vec<f64>, n: usize) {
    out.clear();
    out.resize(n, f64::NAN);
}

/// A period of at least 1, as the streaming constructors require.
fn period(got: usize) -> Result<usize, IndicatorError> {
    check_period("period", got, 1)
}
