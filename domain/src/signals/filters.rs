//! Filters: indicators that never vote a direction but can veto (force HOLD): volatility and ATR.
//!
//! A filter that cannot take its reading (too few candles, or a non-positive close in its window)
//! vetoes: data it cannot measure is not data to trade on.

use rust_decimal::Decimal;

use super::params::{AtrSpec, VolatilitySpec};
use super::vote::{dec, latest, Values, Vote, VALUE_DECIMALS};
use crate::indicators::Volatility;
use crate::market::Candle;

/// Vetoes when the standard deviation of the last `period` log returns, in % per candle, is above
/// `max_percent`. Reports `volatility_percent`.
pub(super) fn volatility(spec: &VolatilitySpec, candles: &[Candle]) -> Vote {
    let reading = Volatility::new(spec.period).ok().and_then(|i| latest(i, candles)).and_then(|s| dec(s * 100.0));
    match reading {
        Some(percent) => Vote::filter(
            "volatility",
            percent > spec.max_percent,
            Values::default().with("volatility_percent", percent),
        ),
        None => Vote::filter("volatility", true, Values::default()),
    }
}

/// Reports the stop distances an ATR suggests, and vetoes when `max_percent` is set and the ATR
/// is above that % of the close. Reports `atr`, `atr_percent` (ATR / close × 100),
/// `stop_distance` (ATR × `stop_multiplier`), `stop_below` (close − distance, the stop of a
/// long position) and `stop_above` (close + distance). `reading` is the ATR on the last candle.
pub(super) fn atr(spec: &AtrSpec, candles: &[Candle], reading: Option<f64>) -> Vote {
    match atr_values(spec, candles, reading) {
        Some((values, percent)) => {
            let veto = spec.max_percent.is_some_and(|max| percent > max);
            Vote::filter("atr", veto, values)
        }
        None => Vote::filter("atr", true, Values::default()),
    }
}

/// The reported values and the ATR %, or `None` without a reading.
fn atr_values(spec: &AtrSpec, candles: &[Candle], reading: Option<f64>) -> Option<(Values, Decimal)> {
    let atr = dec(reading?)?;
    let close = candles.last()?.close;
    if close <= Decimal::ZERO {
        return None;
    }
    let percent = atr.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(close)?.round_dp(VALUE_DECIMALS);
    let distance = atr.checked_mul(spec.stop_multiplier)?.round_dp(VALUE_DECIMALS);
    let values = Values::default()
        .with("atr", atr)
        .with("atr_percent", percent)
        .with("stop_distance", distance)
        .with("stop_below", close.checked_sub(distance)?)
        .with("stop_above", close.checked_add(distance)?);
    Some((values, percent))
}
