//! Property tests: on random candles (including zero volume, dojis and zero closes) and random
//! specs (valid or not), `analyze` never panics, refuses exactly what it should, every vote is
//! true to its values, and the signal and confidence follow from the votes.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::test_support::{assert_rule, candle};
use super::*;
use crate::market::Candle;

/// (return in bp, upper wick in bp, lower wick in bp, volume in thousandths, special case).
type Step = (i64, i64, i64, i64, u8);

fn build_candles(start_cents: i64, steps: &[Step]) -> Vec<Candle> {
    let mut prev = start_cents;
    steps
        .iter()
        .enumerate()
        .map(|(i, &(ret, up, down, volume, special))| {
            let open = prev;
            let close = match special {
                0 => 0,
                1 => open,
                _ => (open + open * ret / 10_000).max(0),
            };
            let volume = if special == 2 { 0 } else { volume };
            let high = open.max(close) * (10_000 + up) / 10_000;
            let low = open.min(close) * (10_000 - down) / 10_000;
            prev = if close == 0 { start_cents } else { close };
            let cents = |x: i64| Decimal::new(x, 2);
            candle(i, cents(open), cents(high), cents(low), cents(close), Decimal::new(volume, 3))
        })
        .collect()
}

fn candles() -> impl Strategy<Value = Vec<Candle>> {
    let step = (-600i64..600, 0i64..300, 0i64..300, 0i64..5_000_000, 0u8..30);
    (1i64..10_000_000, prop::collection::vec(step, 1..80)).prop_map(|(start, steps)| build_candles(start, &steps))
}

/// (a, b, x, y, flag): periods `a`, `b`; `x`, `y` feed thresholds; `flag` toggles an option.
/// Valid by construction; [`specs`] spoils some lists on purpose.
type Params = (usize, usize, i64, i64, bool);

fn spec(kind: usize, (a, b, x, y, flag): Params) -> IndicatorSpec {
    let d = |v: i64, scale: u32| Decimal::new(v, scale);
    let (oversold, overbought) = (d(x / 2, 0), d(50 + y / 2, 0));
    match kind {
        0 => IndicatorSpec::Rsi(RsiSpec { period: a, oversold, overbought }),
        1 => IndicatorSpec::SmaCross(CrossSpec { fast: a, slow: a + b }),
        2 => IndicatorSpec::EmaCross(CrossSpec { fast: a, slow: a + b }),
        3 => IndicatorSpec::Bollinger(BollingerSpec { period: a, std_dev: d(x + 1, 1) }),
        4 => IndicatorSpec::Volume(VolumeSpec { period: a, spike_ratio: Decimal::ONE + d(x, 2) }),
        5 => IndicatorSpec::Volatility(VolatilitySpec { period: a + 1, max_percent: d(x + 1, 1) }),
        6 => IndicatorSpec::Vwap(VwapSpec { period: a }),
        7 => IndicatorSpec::Mfi(MfiSpec { period: a, oversold, overbought }),
        8 => IndicatorSpec::VolumeProfile(VolumeProfileSpec { period: a, bins: b + 1 }),
        9 => IndicatorSpec::Atr(AtrSpec {
            period: a,
            stop_multiplier: Decimal::ONE + d(x, 1),
            max_percent: flag.then(|| d(y + 1, 1)),
        }),
        _ => IndicatorSpec::Obv(ObvSpec { period: a }),
    }
}

/// Up to six distinct indicators; one list in ten repeats an indicator and one in ten has a
/// zero period, both invalid.
fn specs() -> impl Strategy<Value = Vec<IndicatorSpec>> {
    let params = (1usize..30, 1usize..30, 0i64..100, 0i64..100, any::<bool>());
    let kinds = prop::sample::subsequence((0..11).collect::<Vec<usize>>(), 1..=6);
    (kinds, prop::collection::vec(params, 11), 0u8..10).prop_map(|(kinds, params, spoil)| {
        let mut specs: Vec<IndicatorSpec> = kinds.iter().map(|&k| spec(k, params[k])).collect();
        match spoil {
            0 => specs.push(spec(kinds[0], params[(kinds[0] + 1) % 11])),
            1 => specs[0] = spec(kinds[0], (0, 0, 0, 0, false)),
            _ => {}
        }
        specs
    })
}

/// The documented rule, restated: a veto holds with HIGH; otherwise the side with more direction
/// votes wins (a tie holds), and the confidence is its share: >= 75% HIGH, >= 50% MEDIUM, else LOW.
fn expected(votes: &[Vote]) -> (Signal, Confidence) {
    if votes.iter().any(|v| v.veto) {
        return (Signal::Hold, Confidence::High);
    }
    let count = |s: Signal| votes.iter().filter(|v| v.role == Role::Direction && v.signal == s).count();
    let (buys, sells, holds) = (count(Signal::Buy), count(Signal::Sell), count(Signal::Hold));
    let signal = if buys > sells {
        Signal::Buy
    } else if sells > buys {
        Signal::Sell
    } else {
        Signal::Hold
    };
    let (agree, total) = (count(signal) * 100, (buys + sells + holds).max(1));
    let confidence = if agree >= 75 * total {
        Confidence::High
    } else if agree >= 50 * total {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    (signal, confidence)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn analysis_never_panics_and_follows_from_its_votes(candles in candles(), specs in specs()) {
        match analyze(&specs, &candles) {
            Ok(analysis) => {
                prop_assert!(validate_specs(&specs).is_ok());
                let last = candles.last().expect("an analysis needs a candle");
                prop_assert_eq!(analysis.candle_time, last.open_time);
                prop_assert_eq!(analysis.votes.len(), specs.len());
                for (spec, vote) in specs.iter().zip(&analysis.votes) {
                    assert_rule(spec, vote, last);
                }
                prop_assert_eq!((analysis.signal, analysis.confidence), expected(&analysis.votes));
            }
            Err(SignalError::InvalidSpecs(errors)) => prop_assert_eq!(validate_specs(&specs), Err(errors)),
            Err(SignalError::NotEnoughCandles { needed, got }) => {
                prop_assert!(validate_specs(&specs).is_ok());
                prop_assert_eq!(Some(needed), specs.iter().map(IndicatorSpec::warm_up).max());
                prop_assert!(got == candles.len() && got < needed);
            }
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn batch_analysis_equals_the_streaming_one(candles in candles(), specs in specs()) {
        let batch = analyze(&specs, &candles);
        prop_assert_eq!(&batch, &analysis::analyze_streaming(&specs, &candles));
        let columns = crate::indicators::Columns::from_candles(&candles);
        prop_assert_eq!(&batch, &analyze_columns(&specs, &candles, &columns));
    }
}
