//! Aggregation of shorter candles into longer ones: values worked out by hand, the edges (a read
//! starting inside a bucket, the unfinished bucket, a gap, an empty bucket), and a property over
//! random series checked against a plain per-bucket fold.

use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

const T0: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

/// A 1m candle `minutes` after T0 with the given prices and volume.
fn minute(minutes: i64, o: i64, h: i64, l: i64, c: i64, v: i64) -> Candle {
    Candle {
        open_time: T0 + Duration::minutes(minutes),
        open: o.into(),
        high: h.into(),
        low: l.into(),
        close: c.into(),
        volume: v.into(),
        quote_volume: None,
    }
}

fn values(c: &Candle) -> [i64; 5] {
    [c.open, c.high, c.low, c.close, c.volume].map(|d| i64::try_from(d).unwrap())
}

#[test]
fn five_minutes_take_the_first_open_the_extremes_the_last_close_and_the_summed_volume() {
    let ones: Vec<Candle> = [
        (100, 104, 99, 103, 2),
        (103, 108, 101, 107, 5),
        (107, 107, 95, 96, 1),
        (96, 99, 96, 98, 4),
        (98, 101, 97, 100, 3),
        (100, 120, 100, 110, 7),
    ]
    .iter()
    .enumerate()
    .map(|(i, (o, h, l, c, v))| minute(i as i64, *o, *h, *l, *c, *v))
    .collect();
    let got = aggregate(&ones, Timeframe::M1, Timeframe::M5, T0 + Duration::minutes(6)).unwrap();
    assert_eq!(got.len(), 1, "10:05 is unfinished at 10:06 and left out");
    assert_eq!(got[0].open_time, T0);
    assert_eq!(values(&got[0]), [100, 108, 95, 100, 15]);
    let done = aggregate(&ones, Timeframe::M1, Timeframe::M5, T0 + Duration::minutes(10)).unwrap();
    assert_eq!(done.len(), 2, "10:05 closed at 10:10");
    assert_eq!(values(&done[1]), [100, 120, 100, 110, 7]);
}

#[test]
fn a_read_starting_inside_a_bucket_leaves_that_bucket_out() {
    // 10:02 .. 10:11: the 10:00 bucket lacks 10:00 and 10:01.
    let ones: Vec<Candle> = (2..12).map(|m| minute(m, 100, 101, 99, 100, 1)).collect();
    let got = aggregate(&ones, Timeframe::M1, Timeframe::M5, T0 + Duration::hours(1)).unwrap();
    let opens: Vec<_> = got.iter().map(|c| c.open_time).collect();
    // 10:10 holds two minutes read; the read reaches the horizon, so 10:12-10:14 had no trades.
    assert_eq!(opens, [T0 + Duration::minutes(5), T0 + Duration::minutes(10)]);
}

#[test]
fn a_gap_is_a_span_without_trades_and_an_empty_bucket_is_not_invented() {
    // 10:00, 10:01, (10:02 missing), 10:03, 10:04; nothing in 10:05-10:09; 10:10 .. 10:14.
    let mut ones = vec![minute(0, 10, 12, 9, 11, 1), minute(1, 11, 11, 10, 10, 2)];
    ones.extend([minute(3, 10, 15, 10, 14, 3), minute(4, 14, 14, 13, 13, 4)]);
    ones.extend((10..15).map(|m| minute(m, 20, 21, 19, 20, 1)));
    let got = aggregate(&ones, Timeframe::M1, Timeframe::M5, T0 + Duration::hours(1)).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(values(&got[0]), [10, 15, 9, 13, 10]);
    assert_eq!(got[1].open_time, T0 + Duration::minutes(10));
}

#[test]
fn thirty_minutes_align_on_the_half_hour_and_days_on_midnight_utc() {
    assert_eq!(bucket_start(Timeframe::M30, datetime!(2026-03-02 10:44:59 UTC)), datetime!(2026-03-02 10:30 UTC));
    assert_eq!(bucket_start(Timeframe::D1, datetime!(2026-03-02 23:59 UTC)), datetime!(2026-03-02 00:00 UTC));
    assert_eq!(bucket_start(Timeframe::M5, datetime!(1969-12-31 23:58 UTC)), datetime!(1969-12-31 23:55 UTC));
}

#[test]
fn only_whole_fixed_multiples_aggregate() {
    assert!(aggregable(Timeframe::M1, Timeframe::M5) && aggregable(Timeframe::M15, Timeframe::M30));
    assert!(aggregable(Timeframe::H1, Timeframe::D1));
    for (from, to) in [(Timeframe::M5, Timeframe::M1), (Timeframe::D1, Timeframe::W1), (Timeframe::M3, Timeframe::M5)] {
        let err = aggregate(&[], from, to, T0).unwrap_err();
        assert_eq!(err, NotAggregable { from, to });
    }
}

proptest! {
    /// Over random 1m series with gaps, every 5m candle equals a plain fold of the minutes of its
    /// bucket, and every minute of a complete, covered bucket is counted once.
    #[test]
    fn buckets_equal_a_plain_fold(rows in prop::collection::vec((0u8..3, 1i64..1000, 0i64..50, 0i64..50, 0i64..100), 1..120)) {
        let mut candles = Vec::new();
        let mut at = 0i64;
        for (skip, base, up, down, volume) in rows {
            at += i64::from(skip) + 1;
            candles.push(minute(at, base, base + up, base - down, base + up / 2, volume));
        }
        let horizon = T0 + Duration::minutes(at - 2);
        let got = aggregate(&candles, Timeframe::M1, Timeframe::M5, horizon).unwrap();
        let first_start = bucket_start(Timeframe::M5, candles[0].open_time);
        for bucket in &got {
            let members: Vec<&Candle> = candles.iter().filter(|c| bucket_start(Timeframe::M5, c.open_time) == bucket.open_time).collect();
            prop_assert!(bucket.open_time + Duration::minutes(5) <= horizon);
            prop_assert!(bucket.open_time != first_start || candles[0].open_time == first_start);
            prop_assert_eq!(bucket.open, members[0].open);
            prop_assert_eq!(bucket.close, members[members.len() - 1].close);
            prop_assert_eq!(bucket.high, members.iter().map(|c| c.high).max().unwrap());
            prop_assert_eq!(bucket.low, members.iter().map(|c| c.low).min().unwrap());
            prop_assert_eq!(bucket.volume, members.iter().map(|c| c.volume).sum::<Decimal>());
        }
        let expected = candles
            .iter()
            .map(|c| bucket_start(Timeframe::M5, c.open_time))
            .filter(|s| *s + Duration::minutes(5) <= horizon && (*s != first_start || candles[0].open_time == first_start))
            .collect::<std::collections::BTreeSet<_>>();
        prop_assert_eq!(got.len(), expected.len());
    }
}
