//! Candles of a longer timeframe built from a shorter one (Mercado Bitcoin serves 1m and 15m but
//! not 5m and 30m): buckets aligned on UTC boundaries of the longer timeframe (multiples of its
//! length since the unix epoch, so days start at 00:00 UTC); open of the first candle, highest
//! high, lowest low, close of the last, summed volumes.
//!
//! Only complete buckets come out: a bucket is complete when it has closed by `horizon` (the
//! unfinished one is left out) and the candles read cover its start (a read window that begins
//! inside a bucket would otherwise yield a bucket missing its first minutes). A shorter candle
//! missing inside a covered bucket is a span without trades, as exchanges omit those: the bucket
//! is built from the candles present and no candle is invented for it; a bucket with no candle
//! at all is omitted, exactly as the exchange omits its own empty buckets.

use time::OffsetDateTime;

use super::{Candle, Timeframe};

/// Why `from` candles cannot make `to` candles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{to} candles cannot be built from {from} candles: {to} must be a whole multiple of {from}, neither weekly nor monthly")]
pub struct NotAggregable {
    /// The shorter timeframe.
    pub from: Timeframe,
    /// The longer timeframe.
    pub to: Timeframe,
}

/// Whether `to` buckets are whole runs of `from` buckets on the same UTC grid.
pub fn aggregable(from: Timeframe, to: Timeframe) -> bool {
    let calendar = |tf| matches!(tf, Timeframe::W1 | Timeframe::Mo1);
    !calendar(from) && !calendar(to) && to.seconds() > from.seconds() && to.seconds() % from.seconds() == 0
}

/// The open time of the `to` bucket holding `at`.
pub fn bucket_start(to: Timeframe, at: OffsetDateTime) -> OffsetDateTime {
    let length = to.seconds();
    let start = at.unix_timestamp().div_euclid(length) * length;
    OffsetDateTime::from_unix_timestamp(start).unwrap_or(at)
}

/// Builds the complete `to` candles out of `candles` (of timeframe `from`, oldest first), closed
/// by `horizon` (the current time, or the end of what was read if earlier).
pub fn aggregate(
    candles: &[Candle],
    from: Timeframe,
    to: Timeframe,
    horizon: OffsetDateTime,
) -> Result<Vec<Candle>, NotAggregable> {
    if !aggregable(from, to) {
        return Err(NotAggregable { from, to });
    }
    // A read that begins inside a bucket lacks that bucket's start: the bucket is left out.
    let partial = candles
        .first()
        .map(|c| (c.open_time, bucket_start(to, c.open_time)))
        .and_then(|(open, start)| (open != start).then_some(start));
    let mut out: Vec<Candle> = Vec::new();
    for candle in candles {
        let start = bucket_start(to, candle.open_time);
        if Some(start) == partial {
            continue;
        }
        match out.last_mut() {
            Some(bucket) if bucket.open_time == start => {
                bucket.high = bucket.high.max(candle.high);
                bucket.low = bucket.low.min(candle.low);
                bucket.close = candle.close;
                bucket.volume += candle.volume;
                bucket.quote_volume = bucket.quote_volume.zip(candle.quote_volume).map(|(a, b)| a + b);
            }
            _ => out.push(Candle { open_time: start, ..candle.clone() }),
        }
    }
    out.retain(|c| to.close_of(c.open_time) <= horizon);
    Ok(out)
}

#[cfg(test)]
#[path = "aggregate_tests.rs"]
mod tests;
