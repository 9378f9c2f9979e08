//! Each standard voting rule on hand-built candles whose outcome can be worked out by hand.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::analysis::vote;
use super::test_support::{assert_rule, flat, from_closes, ints, with_volumes};
use super::*;

fn rsi(period: usize, oversold: Decimal) -> IndicatorSpec {
    IndicatorSpec::Rsi(RsiSpec { period, oversold, ..RsiSpec::default() })
}

#[test]
fn rsi_votes_buy_when_oversold_and_sell_when_overbought() {
    let falling = from_closes(&ints(&(0..20).map(|i| 100 - i).collect::<Vec<_>>()));
    let rising = from_closes(&ints(&(0..20).map(|i| 100 + i).collect::<Vec<_>>()));
    let down = vote(&rsi(14, dec!(30)), &falling);
    let up = vote(&rsi(14, dec!(30)), &rising);
    assert_eq!((down.signal, down.values["rsi"]), (Signal::Buy, dec!(0)));
    assert_eq!((up.signal, up.values["rsi"]), (Signal::Sell, dec!(100)));
}

#[test]
fn rsi_on_its_bound_holds_and_just_inside_it_buys() {
    // Three gains of 1 and seven losses of 1: RSI = 100 × 0.3 / (0.3 + 0.7) = 30.
    let candles = from_closes(&ints(&[100, 101, 102, 103, 102, 101, 100, 99, 98, 97, 96]));
    let on = vote(&rsi(10, dec!(30)), &candles);
    assert_eq!((on.signal, on.values["rsi"]), (Signal::Hold, dec!(30)));
    assert_eq!(vote(&rsi(10, dec!(30.00000001)), &candles).signal, Signal::Buy);
}

fn cross(sma: bool, closes: &[i64]) -> Vote {
    let spec = CrossSpec { fast: 2, slow: 3 };
    let spec = if sma { IndicatorSpec::SmaCross(spec) } else { IndicatorSpec::EmaCross(spec) };
    let candles = from_closes(&ints(closes));
    let v = vote(&spec, &candles);
    assert_rule(&spec, &v, candles.last().unwrap());
    v
}

#[test]
fn sma_crossing_up_buys_crossing_down_sells_staying_above_holds() {
    let up = cross(true, &[10, 10, 10, 10, 13]);
    assert_eq!(up.signal, Signal::Buy);
    assert_eq!((up.values["sma_fast"], up.values["sma_slow"]), (dec!(11.5), dec!(11)));
    assert_eq!((up.values["sma_fast_prev"], up.values["sma_slow_prev"]), (dec!(10), dec!(10)));
    assert_eq!(cross(true, &[10, 10, 10, 10, 7]).signal, Signal::Sell);
    assert_eq!(cross(true, &[10, 10, 10, 10, 13, 13]).signal, Signal::Hold, "already above: no new signal");
}

#[test]
fn ema_crossing_up_buys_and_down_sells() {
    // EMA2 (k = 2/3) and EMA3 (k = 1/2), both seeded at 10: after a 13 they are 12 and 11.5.
    let up = cross(false, &[10, 10, 10, 10, 13]);
    assert_eq!((up.signal, up.values["ema_fast"], up.values["ema_slow"]), (Signal::Buy, dec!(12), dec!(11.5)));
    assert_eq!(cross(false, &[10, 10, 10, 10, 7]).signal, Signal::Sell);
    assert_eq!(cross(false, &[10, 10, 10, 10, 7, 6]).signal, Signal::Hold);
}

#[test]
fn bollinger_close_outside_the_bands_votes_back_towards_the_middle() {
    let spec = IndicatorSpec::Bollinger(BollingerSpec::default());
    let mut closes = vec![10; 19];
    closes.push(20);
    let spike = vote(&spec, &from_closes(&ints(&closes)));
    // Mean 10.5, population σ = √4.75: upper ≈ 14.86 < 20.
    assert_eq!((spike.signal, spike.values["bb_middle"]), (Signal::Sell, dec!(10.5)));
    assert!(spike.values["bb_upper"] > dec!(14.85) && spike.values["bb_upper"] < dec!(14.87));
    closes[19] = 0;
    assert_eq!(vote(&spec, &from_closes(&ints(&closes))).signal, Signal::Buy);
    let still = vote(&spec, &from_closes(&ints(&[10; 20])));
    assert_eq!((still.signal, still.values["bb_upper"], still.values["bb_lower"]), (Signal::Hold, dec!(10), dec!(10)));
}

#[test]
fn a_volume_spike_confirms_the_candles_direction() {
    let spec = IndicatorSpec::Volume(VolumeSpec { period: 5, ..VolumeSpec::default() });
    let volumes = ints(&[1, 1, 1, 1, 10]);
    let run = |last: i64, volumes: &[Decimal]| vote(&spec, &with_volumes(&ints(&[10, 10, 10, 10, last]), volumes));
    let up = run(11, &volumes);
    assert_eq!((up.signal, up.values["volume"]), (Signal::Buy, dec!(10)));
    assert_eq!(up.values["volume_ratio"], (dec!(10) / dec!(2.8)).round_dp(8));
    assert_eq!(run(9, &volumes).signal, Signal::Sell);
    assert_eq!(run(10, &volumes).signal, Signal::Hold, "a doji has no direction");
    let quiet = [dec!(1), dec!(1), dec!(1), dec!(1), dec!(1.2)];
    assert_eq!(run(11, &quiet).signal, Signal::Hold, "1.2 / 1.04 is below the 1.5 spike ratio");
}

#[test]
fn volatility_vetoes_only_above_its_maximum() {
    let swings = from_closes(&ints(&[100, 110, 100, 110, 100, 110]));
    let spec = |max: Decimal| IndicatorSpec::Volatility(VolatilitySpec { period: 4, max_percent: max });
    // Log returns ±ln(1.1): σ = ln(1.1) ≈ 9.531%.
    let high = vote(&spec(dec!(5)), &swings);
    assert!(high.veto);
    assert_eq!(high.values["volatility_percent"].round_dp(3), dec!(9.531));
    assert!(!vote(&spec(dec!(10)), &swings).veto);
    let calm = vote(&spec(dec!(0.1)), &from_closes(&ints(&[100; 6])));
    assert_eq!((calm.veto, calm.signal, calm.values["volatility_percent"]), (false, Signal::Hold, dec!(0)));
}

#[test]
fn volatility_without_a_reading_vetoes() {
    let spec = IndicatorSpec::Volatility(VolatilitySpec { period: 2, max_percent: dec!(50) });
    let broken = flat(&[100, 100, 0], &[1, 1, 1]);
    let v = vote(&spec, &broken);
    assert!(v.veto && v.values.is_empty(), "{v:?}");
}
