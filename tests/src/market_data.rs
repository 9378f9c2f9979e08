//! Real historical candles for tests: Coinbase BTC-USD hourly and daily candles as published by
//! CryptoDataDownload (`infrastructure/fixtures/market/`, UTC, newest first in the files), read
//! oldest first. Volumes are the base-asset (`volume_btc`) column, published to 2 decimals.

use domain::market::Candle;
use rust_decimal::Decimal;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime, Time};

const HOURLY: &str = include_str!("../../infrastructure/fixtures/market/Coinbase_BTCUSD_1h.csv");
const DAILY: &str = include_str!("../../infrastructure/fixtures/market/Coinbase_BTCUSD_d.csv");

/// The hourly candles, 2017-07-01 11:00 to 2019-10-17 09:00 UTC, oldest first.
pub fn coinbase_hourly() -> Vec<Candle> {
    parse(HOURLY, |date| {
        // `2019-10-17 09-AM`: a 12-hour clock.
        let (day, clock) = date.split_once(' ')?;
        let (hour, half) = clock.split_once('-')?;
        let hour: u8 = hour.parse().ok()?;
        let hour = match half {
            "AM" => hour % 12,
            "PM" => hour % 12 + 12,
            _ => return None,
        };
        Some(PrimitiveDateTime::new(day_of(day)?, Time::from_hms(hour, 0, 0).ok()?))
    })
}

/// The daily candles, 2014-12-01 to 2019-10-17 (one day missing), oldest first.
pub fn coinbase_daily() -> Vec<Candle> {
    parse(DAILY, |date| Some(PrimitiveDateTime::new(day_of(date)?, Time::MIDNIGHT)))
}

fn day_of(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

fn parse(csv: &str, open_time: impl Fn(&str) -> Option<PrimitiveDateTime>) -> Vec<Candle> {
    let mut candles: Vec<Candle> = csv
        .lines()
        .skip(2)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let number = |i: usize| cells[i].trim().parse::<Decimal>().unwrap_or_else(|_| panic!("a number: {line}"));
            Candle {
                open_time: open_time(cells[0]).unwrap_or_else(|| panic!("a date: {line}")).assume_utc(),
                open: number(2),
                high: number(3),
                low: number(4),
                close: number(5),
                volume: number(6),
                quote_volume: Some(number(7)),
            }
        })
        .collect();
    candles.sort_by_key(|c| c.open_time);
    candles
}
