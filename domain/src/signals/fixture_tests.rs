//! The analysis on real candles: the last 1000 hourly Coinbase BTC/USD candles (2019-09-05 to
//! 2019-10-17, copied from `infrastructure/fixtures/market/Coinbase_BTCUSD_1h.csv`).

use std::str::FromStr;

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::{Date, Month, PrimitiveDateTime, Time};

use super::analysis::vote;
use super::test_support::assert_rule;
use super::*;
use crate::indicators::{Indicator, Rsi};
use crate::market::Candle;

const CSV: &str = include_str!("../../fixtures/coinbase_btcusd_1h_last1000.csv");
/// Candles each analysis sees, as a bot would fetch them.
const WINDOW: usize = 150;

/// "2019-10-17 09-AM" as a UTC instant.
fn parse_time(stamp: &str) -> time::OffsetDateTime {
    let (day, hour) = stamp.split_once(' ').expect("date and hour");
    let ymd: Vec<i32> = day.split('-').map(|p| p.parse().expect("number")).collect();
    let (h, half) = hour.split_once('-').expect("hour-AM/PM");
    let h = h.parse::<u8>().expect("hour") % 12 + if half == "PM" { 12 } else { 0 };
    let month = Month::try_from(ymd[1] as u8).expect("month");
    let date = Date::from_calendar_date(ymd[0], month, ymd[2] as u8).expect("date");
    PrimitiveDateTime::new(date, Time::from_hms(h, 0, 0).expect("time")).assume_utc()
}

/// The fixture's candles, oldest first (the file is newest first after a banner and a header).
fn candles() -> Vec<Candle> {
    let mut all: Vec<Candle> = CSV
        .lines()
        .skip(2)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            let d = |i: usize| Decimal::from_str(cols[i]).expect("decimal column");
            Candle {
                open_time: parse_time(cols[0]),
                open: d(2),
                high: d(3),
                low: d(4),
                close: d(5),
                volume: d(6),
                quote_volume: Some(d(7)),
            }
        })
        .collect();
    all.sort_by_key(|c| c.open_time);
    assert_eq!(all.len(), 1000);
    all
}

fn every_indicator() -> Vec<IndicatorSpec> {
    let mut specs = IndicatorSpec::standard_set(dec!(1.5));
    specs.extend(IndicatorSpec::advanced_set());
    specs
}

#[test]
fn real_candles_give_buys_sells_and_holds_each_vote_true_to_its_values() {
    let candles = candles();
    let specs = every_indicator();
    let mut seen = std::collections::HashMap::new();
    let mut directions = std::collections::HashMap::new();
    for end in WINDOW..=candles.len() {
        let window = &candles[end - WINDOW..end];
        let analysis = analyze(&specs, window).expect("enough ordered candles");
        assert_eq!(analysis.candle_time, window[WINDOW - 1].open_time);
        for (spec, vote) in specs.iter().zip(&analysis.votes) {
            assert_rule(spec, vote, &window[WINDOW - 1]);
            *directions.entry((vote.indicator.clone(), vote.signal)).or_insert(0) += 1;
        }
        assert_eq!(decide(&analysis.votes), (analysis.signal, analysis.confidence));
        *seen.entry(analysis.signal).or_insert(0usize) += 1;
    }
    for signal in [Signal::Buy, Signal::Sell, Signal::Hold] {
        assert!(seen.get(&signal).copied().unwrap_or(0) > 0, "no {signal:?} in {seen:?}");
    }
    // Every direction indicator votes both ways at some point on 851 real hours.
    for spec in specs.iter().filter(|s| s.role() == Role::Direction) {
        for signal in [Signal::Buy, Signal::Sell] {
            let n = directions.get(&(spec.name().to_string(), signal)).copied().unwrap_or(0);
            assert!(n > 0, "{} never voted {signal:?}", spec.name());
        }
    }
}

#[test]
fn analysis_is_deterministic_and_keeps_no_state_between_calls() {
    let candles = candles();
    let specs = every_indicator();
    let ends: Vec<usize> = (WINDOW..=candles.len()).step_by(97).collect();
    let first: Vec<Analysis> = ends.iter().map(|&end| analyze(&specs, &candles[end - WINDOW..end]).unwrap()).collect();
    for (i, &end) in ends.iter().enumerate().rev() {
        assert_eq!(analyze(&specs, &candles[end - WINDOW..end]).unwrap(), first[i], "window ending at {end}");
    }
}

#[test]
fn the_rsi_vote_reports_the_indicators_own_value() {
    let candles = candles();
    let spec = IndicatorSpec::Rsi(RsiSpec::default());
    let series = Rsi::new(14).unwrap().series(&candles);
    for end in [15, 200, 640, 1000] {
        let want = series[end - 1].map(|x| Decimal::from_f64(x).unwrap().round_dp(VALUE_DECIMALS));
        assert_eq!(vote(&spec, &candles[..end]).values.get("rsi").copied(), want);
    }
}

#[test]
fn the_worked_example_of_the_docs() {
    // docs/signals.md, "Worked example": the 150 candles up to 2019-09-26 16:00 UTC.
    let candles = candles();
    let window = &candles[503 - WINDOW..503];
    assert_eq!(window[WINDOW - 1].close, dec!(7931.8));
    let standard = analyze(&IndicatorSpec::standard_set(dec!(1.5)), window).unwrap();
    let votes: Vec<Signal> = standard.votes.iter().map(|v| v.signal).collect();
    use Signal::{Buy, Hold, Sell};
    assert_eq!(votes, [Buy, Hold, Hold, Buy, Buy, Hold]);
    assert_eq!((standard.signal, standard.confidence), (Buy, Confidence::Medium));
    assert!(standard.values["rsi"] < dec!(30) && standard.values["close"] < standard.values["bb_lower"]);
    let all = analyze(&every_indicator(), window).unwrap();
    let votes: Vec<Signal> = all.votes.iter().map(|v| v.signal).collect();
    assert_eq!(votes, [Buy, Hold, Hold, Buy, Buy, Hold, Buy, Hold, Sell, Hold, Hold]);
    assert_eq!((all.signal, all.confidence), (Buy, Confidence::Low));
}
