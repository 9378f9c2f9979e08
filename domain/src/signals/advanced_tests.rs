//! Each advanced voting rule (VWAP, MFI, volume profile, ATR, OBV) on hand-built candles.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::analysis::vote;
use super::test_support::{assert_rule, candle, flat, from_closes, ints, with_volumes};
use super::*;

#[test]
fn vwap_of_the_last_period_candles_buys_below_and_sells_above() {
    let spec = IndicatorSpec::Vwap(VwapSpec { period: 3 });
    // The first candle, heavy and far away, is outside the window and must not count.
    let below = vote(&spec, &flat(&[1000, 100, 100, 90], &[100, 1, 1, 1]));
    assert_eq!(below.signal, Signal::Buy);
    assert_eq!(below.values["vwap"], (dec!(290) / dec!(3)).round_dp(8));
    assert_eq!(vote(&spec, &flat(&[1, 100, 100, 110], &[100, 1, 1, 1])).signal, Signal::Sell);
    assert_eq!(vote(&spec, &flat(&[100, 100, 100], &[1, 1, 1])).signal, Signal::Hold);
    let no_trades = vote(&spec, &flat(&[100, 100, 90], &[0, 0, 0]));
    assert_eq!((no_trades.signal, no_trades.values.is_empty()), (Signal::Hold, true));
}

#[test]
fn mfi_reads_like_rsi_with_its_own_bounds() {
    let spec = IndicatorSpec::Mfi(MfiSpec { period: 3, ..MfiSpec::default() });
    let rising = vote(&spec, &flat(&[10, 11, 12, 13], &[10, 10, 10, 10]));
    assert_eq!((rising.signal, rising.values["mfi"]), (Signal::Sell, dec!(100)));
    let falling = vote(&spec, &flat(&[13, 12, 11, 10], &[10, 10, 10, 10]));
    assert_eq!((falling.signal, falling.values["mfi"]), (Signal::Buy, dec!(0)));
    // Flows: +11×10, −10×10, +11×30 → MFI = 100 × 440 / 540 ≈ 81.48 > 80.
    let mixed = vote(&spec, &flat(&[10, 11, 10, 11], &[10, 10, 10, 30]));
    assert_eq!(mixed.signal, Signal::Sell);
    assert_eq!(mixed.values["mfi"].round_dp(2), dec!(81.48));
}

fn profile(prices: &[i64], volumes: &[i64]) -> Vote {
    let spec = IndicatorSpec::VolumeProfile(VolumeProfileSpec { period: 4, bins: 2 });
    let candles = flat(prices, volumes);
    let v = vote(&spec, &candles);
    assert_rule(&spec, &v, candles.last().unwrap());
    v
}

#[test]
fn volume_profile_votes_towards_the_point_of_control() {
    // Range 100..200 in 2 bins of 50: most volume at 100 → POC bin [100, 150).
    let above = profile(&[100, 100, 200, 150], &[10, 10, 1, 1]);
    assert_eq!(above.signal, Signal::Sell, "150 is at the POC bin's upper edge");
    assert_eq!(
        (above.values["poc"], above.values["poc_low"], above.values["poc_high"]),
        (dec!(125), dec!(100), dec!(150))
    );
    let below = profile(&[200, 200, 100, 110], &[10, 10, 1, 1]);
    assert_eq!((below.signal, below.values["poc_low"]), (Signal::Buy, dec!(200)));
    assert_eq!(profile(&[100, 100, 200, 120], &[10, 10, 1, 1]).signal, Signal::Hold);
    let still = profile(&[100, 100, 100, 100], &[1, 1, 1, 1]);
    assert!(still.values.is_empty() && still.signal == Signal::Hold, "no range, no bins: {still:?}");
}

#[test]
fn obv_diverging_from_the_price_votes_and_agreeing_holds() {
    let spec = IndicatorSpec::Obv(ObvSpec { period: 3 });
    let run = |closes: &[i64], volumes: &[i64]| vote(&spec, &with_volumes(&ints(closes), &ints(volumes)));
    // Up 5, down 1, unchanged: OBV +4 while the price is where it was.
    let accumulation = run(&[100, 101, 100, 100], &[9, 5, 1, 7]);
    assert_eq!(accumulation.signal, Signal::Buy);
    assert_eq!((accumulation.values["obv_change"], accumulation.values["price_change"]), (dec!(4), dec!(0)));
    let distribution = run(&[100, 99, 100, 100], &[9, 5, 1, 7]);
    assert_eq!((distribution.signal, distribution.values["obv_change"]), (Signal::Sell, dec!(-4)));
    assert_eq!(run(&[100, 101, 102, 103], &[1, 1, 1, 1]).signal, Signal::Hold, "OBV confirms the rise");
}

fn atr_candles() -> Vec<crate::market::Candle> {
    (0..5).map(|i| candle(i, dec!(100), dec!(101), dec!(99), dec!(100), dec!(1))).collect()
}

#[test]
fn atr_reports_stop_distances_and_vetoes_above_its_maximum() {
    let spec = |max: Option<Decimal>| IndicatorSpec::Atr(AtrSpec { period: 3, max_percent: max, ..AtrSpec::default() });
    let candles = atr_candles();
    let v = vote(&spec(None), &candles);
    let got: Vec<Decimal> =
        ["atr", "atr_percent", "stop_distance", "stop_below", "stop_above"].iter().map(|k| v.values[*k]).collect();
    assert_eq!(got, vec![dec!(2), dec!(2), dec!(4), dec!(96), dec!(104)]);
    assert_eq!((v.role, v.signal, v.veto), (Role::Filter, Signal::Hold, false));
    assert!(vote(&spec(Some(dec!(1.5))), &candles).veto);
    assert!(!vote(&spec(Some(dec!(2))), &candles).veto, "at the maximum is not above it");
}

#[test]
fn every_rule_agrees_with_the_values_it_reports() {
    let specs: Vec<IndicatorSpec> =
        IndicatorSpec::standard_set(dec!(3)).into_iter().chain(IndicatorSpec::advanced_set()).collect();
    let candles = from_closes(&ints(&(0..80).map(|i| 500 + (i * 31) % 47 - i).collect::<Vec<_>>()));
    for end in 30..=candles.len() {
        for spec in &specs {
            assert_rule(spec, &vote(spec, &candles[..end]), &candles[end - 1]);
        }
    }
}
