//! Voting rules of the standard indicators: RSI, SMA and EMA crossovers, Bollinger Bands and
//! volume spikes. Each reads the candles oldest first and votes on the last one.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::params::{BollingerSpec, CrossSpec, RsiSpec, VolumeSpec};
use super::rules_readings::Readings;
use super::vote::{band, dec, latest, Signal, Values, Vote};
use crate::indicators::VolumeRatio;
use crate::market::Candle;

/// A vote with no reading: HOLD, no values.
pub(super) fn no_reading(name: &str) -> Vote {
    Vote::direction(name, Signal::Hold, Values::default())
}

/// An oscillator against its bounds: BUY below `oversold`, SELL above `overbought`, HOLD between
/// (bounds included). The value is reported under `name`.
pub(super) fn oscillator(name: &str, reading: Option<f64>, oversold: Decimal, overbought: Decimal) -> Vote {
    match reading.and_then(dec) {
        Some(value) => Vote::direction(name, band(value, oversold, overbought), Values::default().with(name, value)),
        None => no_reading(name),
    }
}

/// RSI below oversold: BUY; above overbought: SELL; reports `rsi`.
pub(super) fn rsi(spec: &RsiSpec, readings: &dyn Readings) -> Vote {
    oscillator("rsi", readings.rsi(spec.period), spec.oversold, spec.overbought)
}

/// SMA crossover; see [`cross`].
pub(super) fn sma_cross(spec: &CrossSpec, readings: &dyn Readings) -> Vote {
    cross("sma_cross", "sma", readings.sma(spec.fast), readings.sma(spec.slow))
}

/// EMA crossover; see [`cross`].
pub(super) fn ema_cross(spec: &CrossSpec, readings: &dyn Readings) -> Vote {
    cross("ema_cross", "ema", readings.ema(spec.fast), readings.ema(spec.slow))
}

/// A moving average on the candle before the last and on the last: (previous, latest).
type Pair = (Option<f64>, Option<f64>);

/// A crossover on the last candle: BUY when the fast average moves from at or below the slow one
/// to above it, SELL when it moves from at or above to below it, otherwise HOLD (a fast average
/// merely staying above the slow one is not a new signal). Reports `{prefix}_fast`,
/// `{prefix}_slow` and the previous candle's `{prefix}_fast_prev`, `{prefix}_slow_prev`. Each
/// average is given as (previous, latest).
fn cross(name: &str, prefix: &str, (fast_prev, fast_now): Pair, (slow_prev, slow_now): Pair) -> Vote {
    let read = |x: Option<f64>| x.and_then(dec);
    let (Some(fp), Some(fl), Some(sp), Some(sl)) = (read(fast_prev), read(fast_now), read(slow_prev), read(slow_now))
    else {
        return no_reading(name);
    };
    let signal = if fp <= sp && fl > sl {
        Signal::Buy
    } else if fp >= sp && fl < sl {
        Signal::Sell
    } else {
        Signal::Hold
    };
    let values = Values::default()
        .with(&format!("{prefix}_fast"), fl)
        .with(&format!("{prefix}_slow"), sl)
        .with(&format!("{prefix}_fast_prev"), fp)
        .with(&format!("{prefix}_slow_prev"), sp);
    Vote::direction(name, signal, values)
}

/// Close below the lower band: BUY; above the upper band: SELL; on or inside the bands: HOLD.
/// Reports `bb_upper`, `bb_middle`, `bb_lower` and `close`.
pub(super) fn bollinger(spec: &BollingerSpec, candles: &[Candle], readings: &dyn Readings) -> Vote {
    let k = spec.std_dev.to_f64().unwrap_or(f64::NAN);
    let bands = readings.bollinger(spec.period, k);
    let (Some(last), Some(bands)) = (candles.last(), bands) else {
        return no_reading("bollinger");
    };
    let (Some(upper), Some(middle), Some(lower)) = (dec(bands.upper), dec(bands.middle), dec(bands.lower)) else {
        return no_reading("bollinger");
    };
    let values = Values::default()
        .with("bb_upper", upper)
        .with("bb_middle", middle)
        .with("bb_lower", lower)
        .with("close", last.close);
    Vote::direction("bollinger", band(last.close, lower, upper), values)
}

/// A volume spike (volume at least `spike_ratio` times its average) confirms the candle's
/// direction: BUY on an up candle (close above open), SELL on a down candle; HOLD on a doji or
/// without a spike. Reports `volume` and `volume_ratio`.
pub(super) fn volume(spec: &VolumeSpec, candles: &[Candle]) -> Vote {
    let ratio = VolumeRatio::new(spec.period).ok().and_then(|i| latest(i, candles)).and_then(dec);
    let (Some(last), Some(ratio)) = (candles.last(), ratio) else {
        return no_reading("volume");
    };
    let signal = if ratio < spec.spike_ratio || last.close == last.open {
        Signal::Hold
    } else if last.close > last.open {
        Signal::Buy
    } else {
        Signal::Sell
    };
    Vote::direction("volume", signal, Values::default().with("volume", last.volume).with("volume_ratio", ratio))
}
