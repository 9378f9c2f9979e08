//! Candles of every timeframe, built from the price engine: buckets aligned like Binance's
//! (fixed lengths on the unix epoch, weeks on Mondays, months on the 1st, all UTC), the last one
//! unfinished (closing at the current price) and none from the future.

use domain::market::{Candle, CandleRange, Symbol, Timeframe};
use time::{Date, Month, OffsetDateTime, Time};

use super::prices::PriceEngine;

/// The most candles one call returns (Binance's cap).
pub(crate) const MAX_CANDLES: u32 = 1_000;
/// 1970-01-05, the first Monday after the epoch, in unix seconds.
const FIRST_MONDAY: i64 = 4 * 86_400;

/// The start of the bucket holding unix second `t`.
pub(crate) fn bucket_start(tf: Timeframe, t: i64) -> i64 {
    match tf {
        Timeframe::W1 => (t - FIRST_MONDAY).div_euclid(604_800) * 604_800 + FIRST_MONDAY,
        Timeframe::Mo1 => {
            let at = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
            month_start(at.year(), at.month())
        }
        _ => t.div_euclid(tf.seconds()) * tf.seconds(),
    }
}

/// The start of the bucket after the one starting at `start`.
pub(crate) fn next_start(tf: Timeframe, start: i64) -> i64 {
    match tf {
        Timeframe::Mo1 => {
            let at = OffsetDateTime::from_unix_timestamp(start).unwrap_or(OffsetDateTime::UNIX_EPOCH);
            let year = if at.month() == Month::December { at.year() + 1 } else { at.year() };
            month_start(year, at.month().next())
        }
        _ => start + tf.seconds(),
    }
}

/// The start of the bucket before the one starting at `start`.
fn previous_start(tf: Timeframe, start: i64) -> i64 {
    bucket_start(tf, start - 1)
}

fn month_start(year: i32, month: Month) -> i64 {
    Date::from_calendar_date(year, month, 1).map_or(0, |d| d.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp())
}

fn instant(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The candle of the bucket `[a, b)` seen at unix second `now` (`a <= now`): finished when
/// `now >= b`, else up to `now` and closing at the current price.
pub(crate) fn candle(prices: &PriceEngine, symbol: &Symbol, a: i64, b: i64, now: i64) -> Option<Candle> {
    let open = prices.price(symbol, a)?;
    let (x, close) = if now >= b {
        (prices.extremes(symbol, a, b, false)?, prices.price_before(symbol, b)?)
    } else {
        (prices.extremes(symbol, a, now, true)?, prices.price(symbol, now)?)
    };
    Some(Candle {
        open_time: instant(a),
        open,
        high: x.high.max(open).max(close),
        low: x.low.min(open).min(close),
        close,
        volume: x.volume.normalize(),
        quote_volume: None,
    })
}

/// The last `range.limit` candles (capped at [`MAX_CANDLES`]) opening at or after `range.start`
/// and at or before `range.end` (and `now`), oldest first.
pub(crate) fn candles(
    prices: &PriceEngine,
    symbol: &Symbol,
    tf: Timeframe,
    range: CandleRange,
    now: i64,
) -> Option<Vec<Candle>> {
    let end = range.end.map_or(now, |e| e.unix_timestamp().min(now));
    let start = range.start.map(OffsetDateTime::unix_timestamp);
    let limit = range.limit.min(MAX_CANDLES) as usize;
    let mut out = Vec::with_capacity(limit);
    let mut a = bucket_start(tf, end);
    while out.len() < limit && start.is_none_or(|s| a >= s) {
        out.push(candle(prices, symbol, a, next_start(tf, a), now)?);
        a = previous_start(tf, a);
    }
    out.reverse();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchanges::paper::config::PaperConfig;
    use crate::exchanges::paper::markets::listings;
    use domain::exchange::ExchangeId;
    use rust_decimal::Decimal;
    use time::macros::datetime;

    fn setup() -> (PriceEngine, Symbol) {
        (PriceEngine::new(&listings(ExchangeId::Binance), &PaperConfig::default()), Symbol::parse("BTC-USDT").unwrap())
    }

    #[test]
    fn buckets_align_like_binance() {
        let t = datetime!(2024-03-14 15:47:12 UTC).unix_timestamp();
        assert_eq!(bucket_start(Timeframe::H4, t), datetime!(2024-03-14 12:00 UTC).unix_timestamp());
        assert_eq!(bucket_start(Timeframe::W1, t), datetime!(2024-03-11 00:00 UTC).unix_timestamp());
        assert_eq!(bucket_start(Timeframe::Mo1, t), datetime!(2024-03-01 00:00 UTC).unix_timestamp());
        let dec = datetime!(2023-12-01 00:00 UTC).unix_timestamp();
        assert_eq!(next_start(Timeframe::Mo1, dec), datetime!(2024-01-01 00:00 UTC).unix_timestamp());
        assert_eq!(previous_start(Timeframe::Mo1, dec), datetime!(2023-11-01 00:00 UTC).unix_timestamp());
    }

    #[test]
    fn sixty_minutes_aggregate_to_their_hour() {
        let (p, s) = setup();
        let hour = datetime!(2024-05-02 07:00 UTC).unix_timestamp();
        let now = hour + 10 * 3_600;
        let h = candle(&p, &s, hour, hour + 3_600, now).unwrap();
        let minutes: Vec<Candle> =
            (0..60).map(|m| candle(&p, &s, hour + m * 60, hour + m * 60 + 60, now).unwrap()).collect();
        assert_eq!(minutes[0].open, h.open);
        assert_eq!(minutes[59].close, h.close);
        assert_eq!(minutes.iter().map(|c| c.high).max(), Some(h.high));
        assert_eq!(minutes.iter().map(|c| c.low).min(), Some(h.low));
        let volume: Decimal = minutes.iter().map(|c| c.volume).sum();
        assert!((volume - h.volume).abs() < Decimal::new(1, 6), "{volume} vs {}", h.volume);
    }

    #[test]
    fn the_last_candle_is_unfinished_and_ends_at_the_current_price() {
        let (p, s) = setup();
        let now = datetime!(2024-05-02 07:31:09 UTC).unix_timestamp();
        let got = candles(&p, &s, Timeframe::M15, CandleRange::latest(3), now).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[2].open_time, datetime!(2024-05-02 07:30 UTC));
        assert_eq!(got[2].close, p.price(&s, now).unwrap());
        assert_eq!(got[1].close, p.price_before(&s, got[2].open_time.unix_timestamp()).unwrap());
    }

    #[test]
    fn start_end_and_limit_are_honoured() {
        let (p, s) = setup();
        let now = datetime!(2024-05-10 00:00 UTC).unix_timestamp();
        let range = CandleRange {
            limit: 100,
            start: Some(datetime!(2024-05-01 10:30 UTC)),
            end: Some(datetime!(2024-05-01 15:00 UTC)),
        };
        let got = candles(&p, &s, Timeframe::H1, range, now).unwrap();
        let opens: Vec<_> = got.iter().map(|c| c.open_time.hour()).collect();
        assert_eq!(opens, [11, 12, 13, 14, 15]);
        let future = CandleRange { limit: 5, start: None, end: Some(datetime!(2030-01-01 00:00 UTC)) };
        let got = candles(&p, &s, Timeframe::H1, future, now).unwrap();
        assert!(got.iter().all(|c| c.open_time.unix_timestamp() <= now));
        assert_eq!(candles(&p, &s, Timeframe::D1, CandleRange::latest(5000), now).unwrap().len(), 1_000);
    }
}
