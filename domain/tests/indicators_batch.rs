//! Batch kernels against their streaming twins, on every candle of the Coinbase BTC/USD hourly
//! fixture and on random candles (flat prices, zero volume, tiny periods, periods longer than
//! the series). SMA, EMA, RSI, ATR and Bollinger must agree bit for bit; MFI and OBV, summed in
//! `f64` where the streaming ones sum exactly in `Decimal`, within 1e-12 relative (of 100 for
//! MFI, of the volume traded so far for OBV).

mod indicators_support;

use domain::indicators::{batch, Atr, BollingerBands, Columns, Ema, Indicator, Mfi, Obv, Rsi, Sma};
use domain::market::Candle;
use indicators_support::{all_candles, assert_twins, exact};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;

const MFI_TOLERANCE: f64 = 1e-12 * 100.0;
const OBV_RELATIVE: f64 = 1e-12;

/// Every kernel against its twin on `candles`, periods `period` (and 2.0 deviations).
fn check_all(candles: &[Candle], period: usize) {
    let columns = Columns::from_candles(candles);
    let close = columns.close();
    let scalar = |s: Vec<Option<f64>>| s;
    assert_twins("sma", &batch::sma(close, period).unwrap(), &Sma::new(period).unwrap().series(candles), exact);
    assert_twins("ema", &batch::ema(close, period).unwrap(), &Ema::new(period).unwrap().series(candles), exact);
    assert_twins("rsi", &batch::rsi(close, period).unwrap(), &Rsi::new(period).unwrap().series(candles), exact);
    assert_twins("atr", &batch::atr(&columns, period).unwrap(), &Atr::new(period).unwrap().series(candles), exact);
    let bands = batch::bollinger(close, period, 2.0).unwrap();
    let streaming = BollingerBands::new(period, 2.0).unwrap().series(candles);
    let pick = |f: fn(&domain::indicators::Bands) -> f64| scalar(streaming.iter().map(|b| b.as_ref().map(f)).collect());
    assert_twins("bb upper", &bands.upper, &pick(|b| b.upper), exact);
    assert_twins("bb middle", &bands.middle, &pick(|b| b.middle), exact);
    assert_twins("bb lower", &bands.lower, &pick(|b| b.lower), exact);
    let mfi = Mfi::new(period).unwrap().series(candles);
    assert_twins("mfi", &batch::mfi(&columns, period).unwrap(), &mfi, |_, _| MFI_TOLERANCE);
    let traded: Vec<f64> = columns
        .volume()
        .iter()
        .scan(0.0, |sum, v| {
            *sum += v;
            Some(*sum)
        })
        .collect();
    let obv = Obv::new().series(candles);
    assert_twins("obv", &batch::obv(&columns), &obv, |i, _| OBV_RELATIVE * traded[i].max(f64::MIN_POSITIVE));
}

#[test]
fn kernels_equal_their_streaming_twins_on_every_fixture_candle() {
    let candles = all_candles();
    assert!(candles.len() > 17_000, "the whole fixture");
    for period in [1, 2, 14, 20, 200] {
        check_all(&candles, period);
    }
}

/// (close in cents, wick in cents, volume in thousandths, special case) per candle.
type Row = (i64, i64, i64, u8);

fn build(rows: &[Row]) -> Vec<Candle> {
    let mut prev = 100_000;
    rows.iter()
        .enumerate()
        .map(|(i, &(close, wick, volume, special))| {
            // special 0: flat (same close as before); 1: zero volume; 2: both; else as drawn
            let close = if special == 0 || special == 2 { prev } else { close };
            let volume = if special == 1 || special == 2 { 0 } else { volume };
            prev = close;
            let cents = |x: i64| Decimal::new(x, 2);
            Candle {
                open_time: OffsetDateTime::UNIX_EPOCH + time::Duration::hours(i as i64),
                open: cents(close),
                high: cents(close + wick),
                low: cents((close - wick).max(0)),
                close: cents(close),
                volume: Decimal::new(volume, 3),
                quote_volume: None,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn kernels_equal_their_streaming_twins_on_random_candles(
        rows in prop::collection::vec((1i64..100_000_000, 0i64..50_000, 0i64..10_000_000, 0u8..8), 0..120),
        period in 1usize..40,
    ) {
        check_all(&build(&rows), period);
    }
}
