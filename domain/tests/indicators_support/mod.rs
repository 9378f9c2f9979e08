//! Shared by the indicator test binaries: the Coinbase BTC/USD hourly fixture as candles, and the
//! comparison of a batch kernel's output with its streaming twin's.

#![allow(dead_code)] // each test binary uses its own part

use std::str::FromStr;

use domain::market::Candle;
use rust_decimal::Decimal;
use time::{Date, Month, PrimitiveDateTime, Time};

const CSV: &str = include_str!("../../../infrastructure/fixtures/market/Coinbase_BTCUSD_1h.csv");

/// Parses "2019-10-17 09-AM" as a UTC instant.
pub fn parse_time(stamp: &str) -> time::OffsetDateTime {
    let (day, hour) = stamp.split_once(' ').expect("date and hour");
    let mut ymd = day.split('-').map(|p| p.parse::<i32>().expect("number"));
    let (y, m, d) = (ymd.next().unwrap(), ymd.next().unwrap(), ymd.next().unwrap());
    let (h, ampm) = hour.split_once('-').expect("hour-AM/PM");
    let h = h.parse::<u8>().expect("hour") % 12 + if ampm == "PM" { 12 } else { 0 };
    let date = Date::from_calendar_date(y, Month::try_from(m as u8).unwrap(), d as u8).unwrap();
    PrimitiveDateTime::new(date, Time::from_hms(h, 0, 0).unwrap()).assume_utc()
}

/// Every candle of the fixture, oldest first (the file is newest first, after two header lines);
/// `volume` is the base-asset volume (`volume_btc`).
pub fn all_candles() -> Vec<Candle> {
    let mut all: Vec<Candle> = CSV
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            let dec = |i: usize| Decimal::from_str(cols[i]).expect("decimal column");
            Candle {
                open_time: parse_time(cols[0]),
                open: dec(2),
                high: dec(3),
                low: dec(4),
                close: dec(5),
                volume: dec(6),
                quote_volume: Some(dec(7)),
            }
        })
        .collect();
    all.sort_by_key(|c| c.open_time);
    assert!(all.windows(2).all(|w| w[0].open_time < w[1].open_time), "unique, sorted hours");
    all
}

/// A kernel's output against a streaming series: `NaN` exactly where the streaming one is `None`,
/// and every value within `tolerance(want)` of the streaming one (0 asks for equal bits).
pub fn assert_twins(name: &str, got: &[f64], want: &[Option<f64>], tolerance: impl Fn(usize, f64) -> f64) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (&g, w)) in got.iter().zip(want).enumerate() {
        match w {
            None => assert!(g.is_nan(), "{name}[{i}]: {g} during the warm-up"),
            Some(w) => {
                let tol = tolerance(i, *w);
                let ok = if tol == 0.0 { g.to_bits() == w.to_bits() } else { (g - w).abs() <= tol };
                assert!(ok, "{name}[{i}]: batch {g}, streaming {w} (tolerance {tol:e})");
            }
        }
    }
}

/// Equal bits.
pub fn exact(_: usize, _: f64) -> f64 {
    0.0
}
