//! Test helpers: hand-built candles, and a re-statement of each documented voting rule in terms
//! of the values a vote reports, to check votes against what they show.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use super::{IndicatorSpec, Role, Signal, Vote};
use crate::market::Candle;

/// The open time of the `i`-th hourly test candle.
pub fn hour(i: usize) -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::hours(i as i64 + 438_000)
}

/// A candle `i` hours in.
pub fn candle(i: usize, open: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: Decimal) -> Candle {
    Candle { open_time: hour(i), open, high, low, close, volume, quote_volume: None }
}

/// Hourly candles from a series of closes: each opens at the previous close (the first at its
/// own close), high and low are the body, volume 1.
pub fn from_closes(closes: &[Decimal]) -> Vec<Candle> {
    with_volumes(closes, &vec![Decimal::ONE; closes.len()])
}

/// As [`from_closes`], with the given volumes.
pub fn with_volumes(closes: &[Decimal], volumes: &[Decimal]) -> Vec<Candle> {
    let mut prev = closes.first().copied().unwrap_or_default();
    closes
        .iter()
        .zip(volumes)
        .enumerate()
        .map(|(i, (&close, &volume))| {
            let c = candle(i, prev, prev.max(close), prev.min(close), close, volume);
            prev = close;
            c
        })
        .collect()
}

/// Decimals from integers.
pub fn ints(xs: &[i64]) -> Vec<Decimal> {
    xs.iter().map(|&x| Decimal::from(x)).collect()
}

fn get(values: &BTreeMap<String, Decimal>, name: &str) -> Decimal {
    *values.get(name).unwrap_or_else(|| panic!("value `{name}` missing from {values:?}"))
}

/// BUY below, SELL above, HOLD between (bounds excluded).
fn outside(x: Decimal, low: Decimal, high: Decimal) -> Signal {
    if x < low {
        Signal::Buy
    } else if x > high {
        Signal::Sell
    } else {
        Signal::Hold
    }
}

/// Asserts that `vote` is what `spec`'s documented rule makes of the values it reports, on a
/// last candle `last`. A direction vote without values must be HOLD; a filter without values
/// must veto.
pub fn assert_rule(spec: &IndicatorSpec, vote: &Vote, last: &Candle) {
    assert_eq!(vote.indicator, spec.name());
    assert_eq!(vote.role, spec.role());
    let v = &vote.values;
    if spec.role() == Role::Filter {
        assert_eq!(vote.signal, Signal::Hold, "{vote:?}");
        if v.is_empty() {
            assert!(vote.veto, "a filter without a reading vetoes: {vote:?}");
            return;
        }
    } else {
        assert!(!vote.veto, "{vote:?}");
        if v.is_empty() {
            assert_eq!(vote.signal, Signal::Hold, "no reading, no direction: {vote:?}");
            return;
        }
    }
    let expected = match spec {
        IndicatorSpec::Rsi(s) => outside(get(v, "rsi"), s.oversold, s.overbought),
        IndicatorSpec::Mfi(s) => outside(get(v, "mfi"), s.oversold, s.overbought),
        IndicatorSpec::SmaCross(_) | IndicatorSpec::EmaCross(_) => {
            let p = if matches!(spec, IndicatorSpec::SmaCross(_)) { "sma" } else { "ema" };
            let prev = get(v, &format!("{p}_fast_prev")).cmp(&get(v, &format!("{p}_slow_prev")));
            let now = get(v, &format!("{p}_fast")).cmp(&get(v, &format!("{p}_slow")));
            match (prev, now) {
                (std::cmp::Ordering::Less | std::cmp::Ordering::Equal, std::cmp::Ordering::Greater) => Signal::Buy,
                (std::cmp::Ordering::Greater | std::cmp::Ordering::Equal, std::cmp::Ordering::Less) => Signal::Sell,
                _ => Signal::Hold,
            }
        }
        IndicatorSpec::Bollinger(_) => outside(last.close, get(v, "bb_lower"), get(v, "bb_upper")),
        IndicatorSpec::Volume(s) => match (get(v, "volume_ratio") >= s.spike_ratio, last.close.cmp(&last.open)) {
            (true, std::cmp::Ordering::Greater) => Signal::Buy,
            (true, std::cmp::Ordering::Less) => Signal::Sell,
            _ => Signal::Hold,
        },
        IndicatorSpec::Vwap(_) => outside(last.close, get(v, "vwap"), get(v, "vwap")),
        IndicatorSpec::VolumeProfile(_) => {
            let (low, high) = (get(v, "poc_low"), get(v, "poc_high"));
            assert!(low < high && low <= get(v, "poc") && get(v, "poc") <= high, "{vote:?}");
            if last.close < low {
                Signal::Buy
            } else if last.close >= high {
                Signal::Sell
            } else {
                Signal::Hold
            }
        }
        IndicatorSpec::Obv(_) => {
            let (obv, price) = (get(v, "obv_change"), get(v, "price_change"));
            if obv > Decimal::ZERO && price <= Decimal::ZERO {
                Signal::Buy
            } else if obv < Decimal::ZERO && price >= Decimal::ZERO {
                Signal::Sell
            } else {
                Signal::Hold
            }
        }
        IndicatorSpec::Volatility(s) => {
            assert_eq!(vote.veto, get(v, "volatility_percent") > s.max_percent, "{vote:?}");
            Signal::Hold
        }
        IndicatorSpec::Atr(s) => {
            let veto = s.max_percent.is_some_and(|max| get(v, "atr_percent") > max);
            assert_eq!(vote.veto, veto, "{vote:?}");
            assert_eq!(get(v, "stop_below") + get(v, "stop_distance"), last.close);
            assert_eq!(get(v, "stop_above") - get(v, "stop_distance"), last.close);
            Signal::Hold
        }
    };
    assert_eq!(vote.signal, expected, "{spec:?} voted {vote:?} on {last:?}");
}

/// Hourly candles at one price each (open = high = low = close, so the typical price is the
/// price), with the given volumes.
pub fn flat(prices: &[i64], volumes: &[i64]) -> Vec<Candle> {
    prices
        .iter()
        .zip(volumes)
        .enumerate()
        .map(|(i, (&p, &v))| {
            let p = Decimal::from(p);
            candle(i, p, p, p, p, Decimal::from(v))
        })
        .collect()
}

/// A wavy price path with varying volume, `n` candles long: every indicator has a reading on it.
pub fn wavy(n: usize) -> Vec<Candle> {
    (0..n)
        .map(|i| {
            let x = i as i64;
            let close = Decimal::from(1000 + (x * 37) % 101 - 50 + x);
            let open = Decimal::from(1000 + (x * 53) % 89 - 44 + x);
            let volume = Decimal::from(5 + (x * 7) % 13);
            candle(i, open, open.max(close) + Decimal::TWO, open.min(close) - Decimal::ONE, close, volume)
        })
        .collect()
}
