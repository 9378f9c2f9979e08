//! Voting rules of the advanced direction indicators: rolling VWAP, MFI, volume profile and OBV.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use super::params::{MfiSpec, ObvSpec, VolumeProfileSpec, VwapSpec};
use super::rules::{no_reading, oscillator};
use super::vote::{band, dec, latest, tail, Signal, Values, Vote, VALUE_DECIMALS};
use crate::indicators::{Indicator, Obv, VolumeProfile, Vwap};
use crate::market::Candle;

/// Mean reversion to the VWAP of the last `period` candles: close below it BUY, above it SELL,
/// equal HOLD (also HOLD when no volume traded in the window). Reports `vwap` and `close`.
pub(super) fn vwap(spec: &VwapSpec, candles: &[Candle]) -> Vote {
    let window = tail(candles, spec.period);
    let reading = if window.len() < spec.period { None } else { latest(Vwap::new(), window).and_then(dec) };
    let (Some(last), Some(vwap)) = (candles.last(), reading) else {
        return no_reading("vwap");
    };
    Vote::direction(
        "vwap",
        band(last.close, vwap, vwap),
        Values::default().with("vwap", vwap).with("close", last.close),
    )
}

/// MFI below oversold: BUY; above overbought: SELL; reports `mfi`. `reading` is the MFI on the
/// last candle.
pub(super) fn mfi(spec: &MfiSpec, reading: Option<f64>) -> Vote {
    oscillator("mfi", reading, spec.oversold, spec.overbought)
}

/// The close against the point of control (POC) of the last `period` candles: the window's range,
/// lowest low to highest high, is cut into `bins` equal bins on the indicator's grid; the POC is
/// the bin holding the most volume. Close below the POC bin: BUY (price tends back to the
/// most-traded level); at or above its upper edge: SELL; inside it: HOLD. HOLD as well when the
/// window's range is empty. Reports `poc` (the bin's midpoint), `poc_low`, `poc_high`, `close`.
pub(super) fn volume_profile(spec: &VolumeProfileSpec, candles: &[Candle]) -> Vote {
    let window = tail(candles, spec.period);
    let (Some(last), Some((low, high))) = (candles.last(), poc_bin(spec, window)) else {
        return no_reading("volume_profile");
    };
    let (low, high) = (low.round_dp(VALUE_DECIMALS), high.round_dp(VALUE_DECIMALS));
    let signal = if last.close < low {
        Signal::Buy
    } else if last.close >= high {
        Signal::Sell
    } else {
        Signal::Hold
    };
    let poc = ((low + high) / Decimal::TWO).round_dp(VALUE_DECIMALS);
    let values =
        Values::default().with("poc", poc).with("poc_low", low).with("poc_high", high).with("close", last.close);
    Vote::direction("volume_profile", signal, values)
}

/// The POC bin's edges `[low, high)`, exact on the indicator's grid of `width`-wide bins.
fn poc_bin(spec: &VolumeProfileSpec, window: &[Candle]) -> Option<(Decimal, Decimal)> {
    let top = window.iter().map(|c| c.high).max()?;
    let bottom = window.iter().map(|c| c.low).min()?;
    let range = top.checked_sub(bottom)?;
    let width = range.checked_div(Decimal::from(spec.bins))?;
    if width <= Decimal::ZERO {
        return None;
    }
    let profile = VolumeProfile::new(spec.period, width).ok()?;
    let mid = Decimal::from_f64(latest(profile, window)?)?;
    // The midpoint sits half a bin from either edge, so flooring recovers the bin exactly.
    let low = mid.checked_div(width)?.floor().checked_mul(width)?;
    Some((low, low.checked_add(width)?))
}

/// On-balance volume against the price over the last `period` candles: OBV up while the close
/// did not rise is accumulation, BUY; OBV down while the close did not fall is distribution,
/// SELL; OBV moving with the price (or flat) adds nothing, HOLD. Reports `obv_change` and
/// `price_change` (close now minus close `period` candles ago).
pub(super) fn obv(spec: &ObvSpec, candles: &[Candle]) -> Vote {
    let window = tail(candles, spec.period.saturating_add(1));
    if window.len() <= spec.period {
        return no_reading("obv");
    }
    let series = Obv::new().series(window);
    let (Some(first), Some(last)) = (window.first(), window.last()) else {
        return no_reading("obv");
    };
    let obv_change = match (series.first(), series.last()) {
        (Some(Some(start)), Some(Some(end))) => dec(end - start),
        _ => None,
    };
    let (Some(obv_change), Some(price_change)) = (obv_change, last.close.checked_sub(first.close)) else {
        return no_reading("obv");
    };
    let signal = if obv_change > Decimal::ZERO && price_change <= Decimal::ZERO {
        Signal::Buy
    } else if obv_change < Decimal::ZERO && price_change >= Decimal::ZERO {
        Signal::Sell
    } else {
        Signal::Hold
    };
    Vote::direction("obv", signal, Values::default().with("obv_change", obv_change).with("price_change", price_change))
}
