//! Indicators against reference values computed independently by
//! `scripts/reference/indicators.py` (TA-Lib formulas, Python standard library) on the first 500
//! hourly Coinbase BTC/USD candles; every value must agree within 1e-8 relative tolerance, both
//! through `series` and through candle-by-candle `update`. The batch kernels are held to the same
//! reference, and to TA-Lib itself (`scripts/reference/talib_reference.py`) within 1e-12.

mod indicators_support;

use domain::indicators::{
    batch, Atr, BollingerBands, Columns, Ema, Indicator, Mfi, Obv, Rsi, Sma, Volatility, VolumeProfile, VolumeRatio,
    Vwap,
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

/// The batch kernels over `candles` with the reference's parameters, by reference name.
fn kernels(candles: &[Candle]) -> Vec<(&'static str, Vec<f64>)> {
    let columns = Columns::from_candles(candles);
    let close = columns.close();
    let bands = batch::bollinger(close, 20, 2.0).unwrap();
    vec![
        ("sma", batch::sma(close, 20).unwrap()),
        ("ema", batch::ema(close, 20).unwrap()),
        ("rsi", batch::rsi(close, 14).unwrap()),
        ("atr", batch::atr(&columns, 14).unwrap()),
        ("mfi", batch::mfi(&columns, 14).unwrap()),
        ("obv", batch::obv(&columns)),
        ("bb_upper", bands.upper),
        ("bb_middle", bands.middle),
        ("bb_lower", bands.lower),
    ]
}

/// Every kernel's output against `want(name)` (`None` during warm-up), within `relative` of the
/// larger magnitude (at least 1, so oscillators near 0 are judged on their 0-100 scale).
fn check_kernels(candles: &[Candle], want: impl Fn(&str) -> Vec<Option<f64>>, relative: f64) {
    for (name, got) in kernels(candles) {
        let want = want(name);
        assert_eq!(got.len(), want.len(), "{name} length");
        for (i, (&g, w)) in got.iter().zip(&want).enumerate() {
            match w {
                None => assert!(g.is_nan(), "{name}[{i}]: {g} where the reference is warming up"),
                Some(w) => {
                    let tolerance = relative * w.abs().max(g.abs()).max(1.0);
                    assert!((g - w).abs() <= tolerance, "{name}[{i}]: batch {g}, reference {w}");
                }
            }
        }
    }
}

fn numbers(values: &Value) -> Vec<Option<f64>> {
    values.as_array().expect("array").iter().map(Value::as_f64).collect()
}

#[test]
fn batch_kernels_match_the_python_reference() {
    let reference = reference();
    let want = |name: &str| match name.strip_prefix("bb_") {
        Some(band) => reference["bbands"].as_array().unwrap().iter().map(|b| b[band].as_f64()).collect(),
        None => numbers(&reference[name]),
    };
    check_kernels(&candles(), want, 1e-8);
}

const TALIB: &str = include_str!("../fixtures/talib_reference.json");
/// Batch kernels against TA-Lib 0.8 itself (`scripts/reference/talib_reference.py`, the last 1,000
/// fixture candles): the largest gap seen is ~1.1e-13 relative (Bollinger, whose running sums are
/// anchored differently from TA-Lib's).
const TALIB_TOLERANCE: f64 = 1e-12;

#[test]
fn batch_kernels_match_ta_lib() {
    let talib: Value = serde_json::from_str(TALIB).expect("TA-Lib JSON");
    let all = all_candles();
    let first = all.iter().position(|c| c.open_time == parse_time(talib["first_date"].as_str().unwrap())).unwrap();
    let last = all.iter().position(|c| c.open_time == parse_time(talib["last_date"].as_str().unwrap())).unwrap();
    check_kernels(&all[first..=last], |name| numbers(&talib[name]), TALIB_TOLERANCE);
}
