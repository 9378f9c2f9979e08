//! Indicators against reference values computed independently by
//! `scripts/reference/indicators.py` (TA-Lib formulas, Python standard library) on the first 500
//! hourly Coinbase BTC/USD candles; every value must agree within 1e-8 relative tolerance, both
//! through `series` and through candle-by-candle `update`.

mod indicators_support;

use domain::indicators::{
    Atr, BollingerBands, Ema, Indicator, Mfi, Obv, Rsi, Sma, Volatility, VolumeProfile, VolumeRatio, Vwap,
};
use domain::market::Candle;
use indicators_support::{all_candles, parse_time};
use rust_decimal::Decimal;
use serde_json::Value;

const REFERENCE: &str = include_str!("../fixtures/indicators_reference.json");
const CANDLES: usize = 500;

/// The oldest 500 candles, oldest first.
fn candles() -> Vec<Candle> {
    let mut all = all_candles();
    all.truncate(CANDLES);
    all
}

fn reference() -> Value {
    serde_json::from_str(REFERENCE).expect("reference JSON")
}

fn close(name: &str, i: usize, got: f64, want: f64) {
    let tolerance = 1e-8 * want.abs().max(got.abs()).max(1e-12);
    assert!((got - want).abs() <= tolerance, "{name}[{i}]: got {got}, want {want}");
}

/// Checks `series` and streaming `update` of `indicator` against `want[name]`, read by `pick`.
fn check<I: Indicator>(name: &str, indicator: I, pick: impl Fn(&I::Output, &str) -> f64, fields: &[&str]) {
    let candles = candles();
    let reference = reference();
    let want = reference[name].as_array().unwrap_or_else(|| panic!("{name} in fixture"));
    assert_eq!(want.len(), candles.len(), "{name} length");
    let series = indicator.series(&candles);
    let mut streaming = indicator.clone();
    for (i, candle) in candles.iter().enumerate() {
        let step = streaming.update(candle);
        for got in [&series[i], &step] {
            match (got, &want[i]) {
                (None, Value::Null) => {}
                (Some(value), expected) if !expected.is_null() => {
                    for field in fields {
                        let e = if field.is_empty() { expected } else { &expected[*field] };
                        close(name, i, pick(value, field), e.as_f64().expect("number"));
                    }
                }
                (got, expected) => panic!("{name}[{i}]: warm-up differs: {} vs {expected}", got.is_some()),
            }
        }
    }
}

fn scalar(v: &f64, _: &str) -> f64 {
    *v
}

#[test]
fn fixture_covers_the_same_candles() {
    let (candles, reference) = (candles(), reference());
    assert_eq!(parse_time(reference["first_date"].as_str().unwrap()), candles[0].open_time);
    assert_eq!(parse_time(reference["last_date"].as_str().unwrap()), candles[CANDLES - 1].open_time);
}

#[test]
fn sma_matches_reference() {
    check("sma", Sma::new(20).unwrap(), scalar, &[""]);
}

#[test]
fn ema_matches_reference() {
    check("ema", Ema::new(20).unwrap(), scalar, &[""]);
}

#[test]
fn rsi_matches_reference() {
    check("rsi", Rsi::new(14).unwrap(), scalar, &[""]);
}

#[test]
fn bollinger_matches_reference() {
    let pick = |b: &domain::indicators::Bands, field: &str| match field {
        "upper" => b.upper,
        "middle" => b.middle,
        _ => b.lower,
    };
    check("bbands", BollingerBands::new(20, 2.0).unwrap(), pick, &["upper", "middle", "lower"]);
}

#[test]
fn volume_ratio_matches_reference() {
    check("volume_ratio", VolumeRatio::new(20).unwrap(), scalar, &[""]);
}

#[test]
fn volatility_matches_reference() {
    check("volatility", Volatility::new(20).unwrap(), scalar, &[""]);
}

#[test]
fn mfi_matches_reference() {
    check("mfi", Mfi::new(14).unwrap(), scalar, &[""]);
}

#[test]
fn atr_matches_reference() {
    check("atr", Atr::new(14).unwrap(), scalar, &[""]);
}

#[test]
fn vwap_matches_reference() {
    check("vwap", Vwap::new(), scalar, &[""]);
}

#[test]
fn obv_matches_reference() {
    check("obv", Obv::new(), scalar, &[""]);
}

#[test]
fn volume_profile_matches_reference() {
    check("volume_profile", VolumeProfile::new(24, Decimal::from(50)).unwrap(), scalar, &[""]);
}
