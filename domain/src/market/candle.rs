//! OHLCV candles.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One candle. Volumes are in the base asset (`volume`) and, when the exchange reports it, in
/// the quote asset (`quote_volume`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    /// Start of the bucket.
    #[serde(with = "time::serde::rfc3339")]
    pub open_time: OffsetDateTime,
    /// Open.
    pub open: Decimal,
    /// High.
    pub high: Decimal,
    /// Low.
    pub low: Decimal,
    /// Close (the last price for an unfinished candle).
    pub close: Decimal,
    /// Base-asset volume.
    pub volume: Decimal,
    /// Quote-asset volume, when known.
    pub quote_volume: Option<Decimal>,
}

/// Which candles to read: the last `limit` up to `end` (now when absent), optionally from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CandleRange {
    /// At most this many (adapters cap it at the exchange's maximum).
    pub limit: u32,
    /// Not before this instant.
    pub start: Option<OffsetDateTime>,
    /// Not after this instant.
    pub end: Option<OffsetDateTime>,
}

impl CandleRange {
    /// The latest `limit` candles.
    pub fn latest(limit: u32) -> Self {
        Self { limit, start: None, end: None }
    }
}
