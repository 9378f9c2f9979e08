//! Voting rules of the standard indicators: RSI, SMA and EMA crossovers, Bollinger Bands and
//! volume spikes. Each reads the candles oldest first and votes on the last one.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::params::{BollingerSpec, CrossSpec, RsiSpec, VolumeSpec};
use super::vote::{band, dec, last_two, latest, Signal, Values, Vote};
use crate::indicators::{BollingerBands, Ema, Indicator, Rsi, Sma, VolumeRatio};
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
pub(super) fn rsi(spec: &RsiSpec, candles: &[Candle]) -> Vote {
    let reading = Rsi::new(spec.period).ok().and_then(|i| latest(i, candles));
    oscillator("rsi", reading, spec.oversold, spec.overbought)
}

/// SMA crossover; see [`cross`].
pub(super) fn sma_cross(spec: &CrossSpec, candles: &[Candle]) -> Vote {
    match (Sma::new(spec.fast), Sma::new(spec.slow)) {
        (Ok(fast), Ok(slow)) => cross("sma_cross", "sma", fast, slow, candles),
        _ => no_reading("sma_cross"),
    }
}

/// EMA crossover; see [`cross`].
pub(super) fn ema_cross(spec: &CrossSpec, candles: &[Candle]) -> Vote {
    match (Ema::new(spec.fast), Ema::new(spec.slow)) {
        (Ok(fast), Ok(slow)) => cross("ema_cross", "ema", fast, slow, candles),
        _ => no_reading("ema_cross"),
    }
}

/// A crossover on the last candle: BUY when the fast average moves from at or below the slow one
/// to above it, SELL when it moves from at or above to below it, otherwise HOLD (a fast average
/// merely staying above the slow one is not a new signal). Reports `{prefix}_fast`,
/// `{prefix}_slow` and the previous candle's `{prefix}_fast_prev`, `{prefix}_slow_prev`.
fn cross<I: Indicator<Output = f64>>(name: &str, prefix: &str, fast: I, slow: I, candles: &[Candle]) -> Vote {
    let (fast_prev, fast_now) = last_two(fast, candles);
    let (slow_prev, slow_now) = last_two(slow, candles);
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
pub(super) fn bollinger(spec: &BollingerSpec, candles: &[Candle]) -> Vote {
    let k = spec.std_dev.to_f64().unwrap_or(f64::NAN);
    let bands = BollingerBands::new(spec.period, k).ok().and_then(|i| latest(i, candles));
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
