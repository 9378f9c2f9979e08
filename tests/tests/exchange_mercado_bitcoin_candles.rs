//! Mercado Bitcoin's missing timeframes through the real adapter and the API fake. The fake
//! serves real Coinbase BTC-USD candles: daily candles built from the hourly ones the exchange
//! serves equal the daily ones it serves (open, high, low, close exactly; volume within the
//! rounding of the published figures), and 5m / 30m candles built from 1m / 15m equal a plain
//! per-bucket fold written here, paged over more than one call, aligned on UTC boundaries,
//! without the unfinished bucket or one the read only partly covers, across a gap.

use std::sync::Arc;

use botfleet_tests::fakes::mercado_bitcoin::FakeMercadoBitcoin;
use botfleet_tests::market_data::{coinbase_daily, coinbase_hourly};
use domain::exchange::ExchangeGateway;
use domain::market::{aggregate, Candle, CandleRange, Symbol, Timeframe};
use domain::shared::clock::FixedClock;
use infrastructure::exchanges::mercado_bitcoin::{MercadoBitcoin, MercadoBitcoinConfig, RateLimiter};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

async fn adapter(fake: &FakeMercadoBitcoin, now: OffsetDateTime) -> MercadoBitcoin {
    MercadoBitcoin::with_parts(
        MercadoBitcoinConfig::with_base_url(fake.base_url()),
        Arc::new(FixedClock::new(now)),
        Arc::new(RateLimiter::new()),
    )
}

fn btc() -> Symbol {
    Symbol::parse("BTC-BRL").unwrap()
}

/// The last day compared. From 2019-05-08 the source's daily and hourly files agree on every
/// price (before, on some days of 2017 and 2018 its daily file disagrees with its own hourly one,
/// e.g. 2017-09-22 closes at 3619.01 daily and 3627.21 in the last hour).
const LAST_DAY: OffsetDateTime = datetime!(2019-10-16 00:00 UTC);

#[tokio::test]
async fn daily_candles_built_from_the_hourly_ones_served_equal_the_daily_ones_served() {
    let fake = FakeMercadoBitcoin::start().await;
    fake.load_candles("1h", coinbase_hourly());
    fake.load_candles("1d", coinbase_daily());
    let now = LAST_DAY + Duration::days(1);
    let mb = adapter(&fake, now).await;
    let end = Some(now - Duration::hours(1));
    let days = 41;

    let hourly = mb.candles(&btc(), Timeframe::H1, CandleRange { limit: days * 24, start: None, end }).await.unwrap();
    let served = mb.candles(&btc(), Timeframe::D1, CandleRange { limit: days, start: None, end }).await.unwrap();
    let built = aggregate(&hourly, Timeframe::H1, Timeframe::D1, now).unwrap();

    assert_eq!(hourly.len(), 984, "41 whole days of hours, 2019-09-06 to 2019-10-16");
    assert_eq!(served.len(), 41);
    assert_eq!(built.len(), served.len());
    assert_eq!(built.last().unwrap().open_time, LAST_DAY);
    // Each hourly volume is published rounded to 0.01 BTC: 24 of them may be 0.12 off the day's.
    let rounding = dec!(0.005) * Decimal::from(24);
    for (b, s) in built.iter().zip(&served) {
        assert_eq!((b.open_time, b.open, b.high, b.low, b.close), (s.open_time, s.open, s.high, s.low, s.close));
        assert!((b.volume - s.volume).abs() <= rounding, "{}: {} built, {} served", s.open_time, b.volume, s.volume);
    }
}

/// A plain fold: the candles of each `length`-second bucket since the epoch, kept when the bucket
/// has closed by `now` and the series starts at or before its start.
fn fold(series: &[Candle], length: i64, now: OffsetDateTime) -> Vec<[String; 6]> {
    let mut out: Vec<(i64, Vec<&Candle>)> = Vec::new();
    for c in series {
        let start = c.open_time.unix_timestamp() / length * length;
        match out.last_mut() {
            Some((s, members)) if *s == start => members.push(c),
            _ => out.push((start, vec![c])),
        }
    }
    let first = series[0].open_time.unix_timestamp();
    out.into_iter()
        .filter(|(s, _)| *s >= first && s + length <= now.unix_timestamp())
        .map(|(s, m)| {
            let high = m.iter().map(|c| c.high).max().unwrap();
            let low = m.iter().map(|c| c.low).min().unwrap();
            let volume: Decimal = m.iter().map(|c| c.volume).sum();
            [
                s.to_string(),
                m[0].open.to_string(),
                high.to_string(),
                low.to_string(),
                m[m.len() - 1].close.to_string(),
                volume.to_string(),
            ]
        })
        .collect()
}

fn rows(candles: &[Candle]) -> Vec<[String; 6]> {
    candles
        .iter()
        .map(|c| {
            [
                c.open_time.unix_timestamp().to_string(),
                c.open.to_string(),
                c.high.to_string(),
                c.low.to_string(),
                c.close.to_string(),
                c.volume.to_string(),
            ]
        })
        .collect()
}

/// Real hourly prices and volumes replayed at `source`'s pace (one candle per `source` length)
/// from one `source` candle after 2026-03-02 09:00 UTC (inside a bucket of the derived
/// timeframe), without three candles in the middle (spans without trades).
fn replayed(source: Timeframe, count: usize) -> Vec<Candle> {
    let step = Duration::seconds(source.seconds());
    let start = datetime!(2026-03-02 09:00 UTC) + step;
    let mut series: Vec<Candle> = coinbase_hourly()
        .into_iter()
        .take(count)
        .enumerate()
        .map(|(i, c)| Candle { open_time: start + step * i as i32, ..c })
        .collect();
    series.drain(count / 2..count / 2 + 3);
    series
}

async fn derived_equal_a_plain_fold(
    derived: Timeframe,
    source: Timeframe,
    resolution: &str,
    count: usize,
    pages: usize,
) {
    let fake = FakeMercadoBitcoin::start().await;
    let series = replayed(source, count);
    // The clock stands inside the last candle: its bucket is unfinished.
    let now = series.last().unwrap().open_time + Duration::seconds(source.seconds() / 2);
    fake.load_candles(resolution, series.clone());
    let mb = adapter(&fake, now).await;

    let got = mb.candles(&btc(), derived, CandleRange::latest(1000)).await.unwrap();

    let expected = fold(&series, derived.seconds(), now);
    assert_eq!(rows(&got), expected, "{derived} from {source}");
    assert!(got.len() > 100, "{}", got.len());
    assert!(got.iter().all(|c| c.open_time.unix_timestamp() % derived.seconds() == 0), "aligned on UTC boundaries");
    assert!(got[0].open_time > series[0].open_time, "the 09:00 bucket, read from its second candle, is left out");
    assert!(derived.close_of(got.last().unwrap().open_time) <= now, "the unfinished bucket is left out");
    assert_eq!(fake.hits("GET", "/api/v4/candles").await, pages, "{derived}: pages of 1000 {source} candles");
    let latest = mb.candles(&btc(), derived, CandleRange::latest(3)).await.unwrap();
    assert_eq!(rows(&latest), expected[expected.len() - 3..]);
}

#[tokio::test]
async fn five_minute_candles_are_built_from_the_one_minute_ones_served() {
    derived_equal_a_plain_fold(Timeframe::M5, Timeframe::M1, "1m", 2_400, 3).await;
}

#[tokio::test]
async fn thirty_minute_candles_are_built_from_the_fifteen_minute_ones_served() {
    derived_equal_a_plain_fold(Timeframe::M30, Timeframe::M15, "15m", 1_500, 2).await;
}
