//! Combining votes into a signal and confidence, and `analyze`'s contract.

use std::collections::BTreeMap;

use rust_decimal_macros::dec;

use super::test_support::{from_closes, hour, ints, wavy};
use super::*;

fn ballot(signals: &[Signal], vetoes: &[bool]) -> Vec<Vote> {
    let direction = signals.iter().map(|&signal| Vote {
        indicator: "x".into(),
        role: Role::Direction,
        signal,
        veto: false,
        values: BTreeMap::new(),
    });
    let filters = vetoes.iter().map(|&veto| Vote {
        indicator: "f".into(),
        role: Role::Filter,
        signal: Signal::Hold,
        veto,
        values: BTreeMap::new(),
    });
    direction.chain(filters).collect()
}

#[test]
fn the_majority_direction_wins_with_a_confidence_from_its_share() {
    use Confidence::*;
    use Signal::*;
    let cases: [(&[Signal], (Signal, Confidence)); 9] = [
        (&[Buy, Buy, Buy, Hold], (Buy, High)),
        (&[Buy, Buy, Sell, Hold], (Buy, Medium)),
        (&[Buy, Hold, Hold, Hold], (Buy, Low)),
        (&[Sell, Sell, Sell], (Sell, High)),
        (&[Sell, Sell, Buy, Hold, Hold], (Sell, Low)),
        (&[Buy, Buy, Sell, Sell], (Hold, Low)),
        (&[Buy, Sell, Hold, Hold], (Hold, Medium)),
        (&[Hold, Hold, Hold], (Hold, High)),
        (&[Buy], (Buy, High)),
    ];
    for (signals, expected) in cases {
        assert_eq!(decide(&ballot(signals, &[false])), expected, "{signals:?}");
    }
}

#[test]
fn a_veto_forces_hold_and_filters_are_not_counted() {
    let unanimous = [Signal::Buy, Signal::Buy];
    assert_eq!(decide(&ballot(&unanimous, &[false, true])), (Signal::Hold, Confidence::High));
    assert_eq!(decide(&ballot(&unanimous, &[false, false, false])), (Signal::Buy, Confidence::High));
}

#[test]
fn confidence_is_ordered_and_gates_actions() {
    assert!(Confidence::Low < Confidence::Medium && Confidence::Medium < Confidence::High);
    assert_eq!(Confidence::from_share(3, 4), Confidence::High);
    assert_eq!(Confidence::from_share(2, 3), Confidence::Medium);
    assert_eq!(Confidence::from_share(1, 3), Confidence::Low);
    assert_eq!(Confidence::from_share(0, 0), Confidence::Low);
    let falling = from_closes(&ints(&(0..30).map(|i| 100 - i).collect::<Vec<_>>()));
    let a = analyze(&[IndicatorSpec::Rsi(RsiSpec::default())], &falling).unwrap();
    assert_eq!((a.signal, a.confidence), (Signal::Buy, Confidence::High));
    assert_eq!(a.actionable(Confidence::High), Some(Signal::Buy));
    let hold = Analysis { signal: Signal::Hold, ..a };
    assert_eq!(hold.actionable(Confidence::Low), None);
}

#[test]
fn analyze_reports_votes_in_order_with_merged_values() {
    let specs = [
        IndicatorSpec::Bollinger(BollingerSpec { period: 5, ..BollingerSpec::default() }),
        IndicatorSpec::Rsi(RsiSpec { period: 5, ..RsiSpec::default() }),
        IndicatorSpec::Atr(AtrSpec { period: 5, ..AtrSpec::default() }),
    ];
    let candles = wavy(40);
    let a = analyze(&specs, &candles).unwrap();
    let names: Vec<&str> = a.votes.iter().map(|v| v.indicator.as_str()).collect();
    assert_eq!(names, ["bollinger", "rsi", "atr"]);
    assert_eq!(a.candle_time, hour(39));
    assert_eq!(a.values["close"], candles[39].close);
    for v in &a.votes {
        for (name, value) in &v.values {
            assert_eq!(a.values.get(name), Some(value), "{name}");
        }
    }
    assert_eq!(a.values.len(), 1 + 3 + 1 + 5, "close, three bands, rsi, five atr values");
    assert_eq!(analyze(&specs, &candles), Ok(a), "deterministic");
}

#[test]
fn a_veto_holds_an_otherwise_unanimous_buy() {
    let falling = from_closes(&ints(&(0..30).map(|i| 100 - 3 * i).collect::<Vec<_>>()));
    let cap = |max| IndicatorSpec::Volatility(VolatilitySpec { period: 10, max_percent: max });
    let specs = |max| [IndicatorSpec::Rsi(RsiSpec::default()), cap(max)];
    let calm = analyze(&specs(dec!(50)), &falling).unwrap();
    assert_eq!((calm.signal, calm.is_vetoed()), (Signal::Buy, false));
    let capped = analyze(&specs(dec!(1)), &falling).unwrap();
    assert_eq!((capped.signal, capped.confidence, capped.is_vetoed()), (Signal::Hold, Confidence::High, true));
}

#[test]
fn analyze_refuses_short_unordered_or_invalid_input() {
    let specs = IndicatorSpec::standard_set(dec!(5));
    let short = analyze(&specs, &wavy(21)).unwrap_err();
    assert_eq!(short, SignalError::NotEnoughCandles { needed: 22, got: 21 });
    assert_eq!(short.to_string(), "not enough candles: the indicators need 22 closed candles, got 21");
    let mut shuffled = wavy(30);
    shuffled.swap(10, 11);
    assert_eq!(analyze(&specs, &shuffled), Err(SignalError::UnorderedCandles { index: 11 }));
    let bad = [IndicatorSpec::Rsi(RsiSpec { period: 0, ..RsiSpec::default() })];
    let err = analyze(&bad, &wavy(30)).unwrap_err();
    assert_eq!(err.to_string(), "invalid indicators: indicators[0].period: must be between 1 and 1000, got 0");
}

#[test]
fn an_analysis_serialises_with_upper_case_signal_and_confidence() {
    let a = analyze(&[IndicatorSpec::Rsi(RsiSpec::default())], &wavy(20)).unwrap();
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["signal"], serde_json::to_value(a.signal).unwrap());
    assert!(["BUY", "SELL", "HOLD"].contains(&json["signal"].as_str().unwrap()));
    assert!(["LOW", "MEDIUM", "HIGH"].contains(&json["confidence"].as_str().unwrap()));
    assert_eq!(json["votes"][0]["indicator"], "rsi");
    assert_eq!(json["votes"][0]["role"], "direction");
    assert_eq!(serde_json::from_value::<Analysis>(json).unwrap(), a);
}
