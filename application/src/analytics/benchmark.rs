//! Reads the market comparison of a book: BTC against the book's quote currency on the book's
//! exchange (and mode), from the latest candles through the market-data cache.

use domain::analytics::{buy_and_hold, EquityPoint, HoldPoint, Interval};
use time::OffsetDateTime;

use super::{AnalyticsService, BookKey, ComparisonUnavailable};
use crate::exchanges::ExchangeFailure;
use crate::market::{MarketDataError, MAX_CANDLES};

/// BTC buy-and-hold over a book's series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Benchmark {
    /// The market, e.g. `BTC-USDT`.
    pub symbol: String,
    /// One point per series point.
    pub points: Vec<BenchmarkPoint>,
}

/// One point of a [`Benchmark`].
pub type BenchmarkPoint = HoldPoint;

/// How many candles of `interval` cover `start` to `now`, with one before (capped at the most one
/// read serves; earlier points then take the first candle's open).
fn candles_needed(interval: Interval, start: OffsetDateTime, now: OffsetDateTime) -> u32 {
    let step = interval.step().whole_seconds().max(1);
    let span = (now - interval.floor(start)).whole_seconds().max(0) / step + 2;
    u32::try_from(span).unwrap_or(MAX_CANDLES).min(MAX_CANDLES)
}

impl AnalyticsService {
    /// BTC buy-and-hold at every point of `points` of the book `key`.
    pub(super) async fn benchmark(
        &self,
        key: &BookKey,
        interval: Interval,
        points: &[EquityPoint],
        now: OffsetDateTime,
    ) -> Result<Benchmark, ComparisonUnavailable> {
        let symbol = format!("BTC-{}", key.quote);
        if key.quote == "BTC" {
            return Err(ComparisonUnavailable::NoMarket);
        }
        let start = points.first().map_or(now, |p| p.at);
        let timeframe = match interval {
            Interval::Hour => "1h",
            Interval::Day => "1d",
        };
        let limit = candles_needed(interval, start, now);
        let candles =
            self.ports.market.candles(key.exchange.as_str(), &symbol, timeframe, limit, key.mode).await.map_err(
                |err| match err {
                    MarketDataError::Invalid(_)
                    | MarketDataError::UnknownExchange
                    | MarketDataError::Exchange(ExchangeFailure::Invalid(_)) => ComparisonUnavailable::NoMarket,
                    MarketDataError::Exchange(failure) => ComparisonUnavailable::Exchange(failure.to_string()),
                },
            )?;
        let points = buy_and_hold(points, &candles).ok_or(ComparisonUnavailable::NoMarket)?;
        Ok(Benchmark { symbol, points })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn reads_enough_candles_but_no_more_than_one_page() {
        let now = datetime!(2026-03-01 12:00 UTC);
        assert_eq!(candles_needed(Interval::Day, now - time::Duration::days(30), now), 32);
        assert_eq!(candles_needed(Interval::Hour, now - time::Duration::days(7), now), 170);
        assert_eq!(candles_needed(Interval::Day, now - time::Duration::days(5000), now), MAX_CANDLES);
    }
}
