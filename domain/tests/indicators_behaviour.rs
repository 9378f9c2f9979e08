//! Indicator behaviour on small hand-made series: warm-up lengths, parameter checks, edge
//! cases (flat prices, zero volume, resets, ties) and streaming resumed from a clone.

use domain::indicators::{
    Atr, BollingerBands, Ema, Indicator, IndicatorError, Mfi, Obv, Rsi, Sma, Volatility, VolumeProfile, VolumeRatio,
    Vwap,
};
use domain::market::Candle;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::OffsetDateTime;

/// A candle with the given high, low, close and volume (open = close).
fn candle(i: i64, high: Decimal, low: Decimal, close: Decimal, volume: Decimal) -> Candle {
    Candle {
        open_time: OffsetDateTime::from_unix_timestamp(i * 3600).unwrap(),
        open: close,
        high,
        low,
        close,
        volume,
        quote_volume: None,
    }
}

/// Closes with a one-unit range around them and volumes 1, 2, 3, ...
fn closes(values: &[i64]) -> Vec<Candle> {
    (0..)
        .zip(values)
        .map(|(i, &c)| {
            let c = Decimal::from(c);
            candle(i, c + Decimal::ONE, c - Decimal::ONE, c, Decimal::from(i + 1))
        })
        .collect()
}

fn first_some<T>(values: &[Option<T>]) -> Option<usize> {
    values.iter().position(Option::is_some)
}

#[test]
fn warm_up_lengths_follow_ta_lib() {
    let c = closes(&[10, 11, 12, 11, 13, 14, 12, 15, 16, 15]);
    assert_eq!(first_some(&Sma::new(3).unwrap().series(&c)), Some(2));
    assert_eq!(first_some(&Ema::new(3).unwrap().series(&c)), Some(2));
    assert_eq!(first_some(&BollingerBands::new(3, 2.0).unwrap().series(&c)), Some(2));
    assert_eq!(first_some(&VolumeRatio::new(3).unwrap().series(&c)), Some(2));
    assert_eq!(first_some(&Rsi::new(3).unwrap().series(&c)), Some(3));
    assert_eq!(first_some(&Atr::new(3).unwrap().series(&c)), Some(3));
    assert_eq!(first_some(&Mfi::new(3).unwrap().series(&c)), Some(3));
    assert_eq!(first_some(&Volatility::new(3).unwrap().series(&c)), Some(3));
    assert_eq!(first_some(&VolumeProfile::new(4, dec!(1)).unwrap().series(&c)), Some(3));
    assert_eq!(first_some(&Obv::new().series(&c)), Some(0));
    assert_eq!(first_some(&Vwap::new().series(&c)), Some(0));
}

#[test]
fn bad_parameters_are_rejected() {
    let short = |name, min, got| Err(IndicatorError::PeriodTooShort { name, min, got });
    assert_eq!(Sma::new(0).map(|_| ()), short("period", 1, 0));
    assert_eq!(Rsi::new(0).map(|_| ()), short("period", 1, 0));
    assert_eq!(Volatility::new(1).map(|_| ()), short("period", 2, 1));
    assert_eq!(VolumeProfile::new(0, dec!(1)).map(|_| ()), short("window", 1, 0));
    let not_positive = |name| Err(IndicatorError::NotPositive { name });
    assert_eq!(BollingerBands::new(20, 0.0).map(|_| ()), not_positive("k"));
    assert_eq!(BollingerBands::new(20, f64::NAN).map(|_| ()), not_positive("k"));
    assert_eq!(VolumeProfile::new(24, dec!(0)).map(|_| ()), not_positive("bucket_width"));
}

#[test]
fn rsi_is_zero_when_flat_and_hundred_when_only_rising() {
    let flat = Rsi::new(3).unwrap().series(&closes(&[5, 5, 5, 5, 5]));
    assert_eq!(flat[3..], [Some(0.0), Some(0.0)]);
    let rising = Rsi::new(3).unwrap().series(&closes(&[1, 2, 3, 4, 5]));
    assert_eq!(rising[3..], [Some(100.0), Some(100.0)]);
}

#[test]
fn ema_is_seeded_with_the_sma_then_smoothed() {
    let out = Ema::new(3).unwrap().series(&closes(&[1, 2, 3, 7]));
    assert_eq!(out[2], Some(2.0));
    assert_eq!(out[3], Some(2.0 + (7.0 - 2.0) * 0.5));
}

#[test]
fn mfi_is_zero_without_money_flow() {
    let mut c = closes(&[1, 2, 3, 4, 5]);
    c.iter_mut().for_each(|c| c.volume = Decimal::ZERO);
    assert_eq!(Mfi::new(3).unwrap().series(&c)[3..], [Some(0.0), Some(0.0)]);
}

#[test]
fn vwap_waits_for_volume_and_restarts_on_reset() {
    let mut vwap = Vwap::new();
    assert_eq!(vwap.update(&candle(0, dec!(12), dec!(6), dec!(9), dec!(0))), None);
    assert_eq!(vwap.update(&candle(1, dec!(12), dec!(6), dec!(9), dec!(1))), Some(9.0));
    assert_eq!(vwap.update(&candle(2, dec!(4), dec!(2), dec!(3), dec!(2))), Some(5.0));
    vwap.reset();
    assert_eq!(vwap.update(&candle(3, dec!(4), dec!(2), dec!(3), dec!(2))), Some(3.0));
}

#[test]
fn volatility_restarts_after_a_non_positive_close() {
    let mut c = closes(&[10, 11, 12, 13, 0, 10, 11, 12]);
    c[4].high = Decimal::ZERO;
    let out = Volatility::new(2).unwrap().series(&c);
    assert!(out[2].is_some() && out[3].is_some());
    assert_eq!(out[4..7], [None, None, None]);
    assert!(out[7].is_some());
}

#[test]
fn volume_profile_picks_the_heaviest_bucket_lowest_on_ties_and_forgets_old_candles() {
    let at = |i, price: Decimal, volume| candle(i, price, price, price, volume);
    let mut vp = VolumeProfile::new(3, dec!(10)).unwrap();
    assert_eq!(vp.update(&at(0, dec!(101), dec!(5))), None);
    assert_eq!(vp.update(&at(1, dec!(125), dec!(2))), None);
    // Buckets [100, 110) = 5 and [120, 130) = 2 + 3 = 5: a tie, the lower bucket wins.
    assert_eq!(vp.update(&at(2, dec!(129), dec!(3))), Some(105.0));
    // The candle at 101 leaves the window.
    assert_eq!(vp.update(&at(3, dec!(99), dec!(1))), Some(125.0));
    let buckets: Vec<(f64, f64, f64)> = vp.profile().iter().map(|b| (b.low, b.high, b.volume)).collect();
    assert_eq!(buckets, [(90.0, 100.0, 1.0), (120.0, 130.0, 5.0)]);
}

#[test]
fn a_clone_taken_mid_stream_continues_like_the_original() {
    let c = closes(&[10, 12, 11, 13, 15, 14, 16, 18, 17, 19, 21, 20]);
    let mut rsi = Rsi::new(3).unwrap();
    let whole = rsi.series(&c);
    c[..6].iter().for_each(|candle| {
        rsi.update(candle);
    });
    // `series` on a warmed-up indicator continues from its state, leaving it untouched ...
    assert_eq!(rsi.series(&c[6..])[..], whole[6..]);
    // ... and so does feeding the original itself.
    let fed: Vec<_> = c[6..].iter().map(|candle| rsi.update(candle)).collect();
    assert_eq!(fed[..], whole[6..]);
}
