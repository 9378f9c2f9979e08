//! Tickers and synthetic order books around the current price: the best bid and ask sit half the
//! configured spread (at least one tick) either side of the last price, deeper levels one basis
//! point (at least one tick) apart, with seeded sizes.

use domain::market::{BookLevel, Market, OrderBook, Ticker};
use rust_decimal::{Decimal, RoundingStrategy};
use time::OffsetDateTime;

use super::rng::{fnv, mix};

/// The most levels a side of a book has.
pub(crate) const MAX_DEPTH: u32 = 100;
const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// Best bid and ask around `last` for a spread of `spread_bps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Quote {
    /// Last price.
    pub last: Decimal,
    /// Best bid (below `last`).
    pub bid: Decimal,
    /// Best ask (above `last`).
    pub ask: Decimal,
}

fn floor_tick(p: Decimal, tick: Decimal) -> Decimal {
    ((p / tick).round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity) * tick).normalize()
}

fn ceil_tick(p: Decimal, tick: Decimal) -> Decimal {
    ((p / tick).round_dp_with_strategy(0, RoundingStrategy::ToPositiveInfinity) * tick).normalize()
}

impl Quote {
    /// The quote of a market whose last price is `last`.
    pub fn around(last: Decimal, tick: Decimal, spread_bps: Decimal) -> Self {
        let half = last * spread_bps / BPS / Decimal::TWO;
        let bid = floor_tick(last - half, tick).min(last - tick).max(tick);
        let ask = ceil_tick(last + half, tick).max(last + tick);
        Self { last, bid, ask }
    }
}

/// The ticker of `market` at `at`.
pub(crate) fn ticker(market: &Market, quote: Quote, volume_24h: Decimal, at: OffsetDateTime) -> Ticker {
    Ticker { symbol: market.symbol.clone(), last: quote.last, bid: quote.bid, ask: quote.ask, volume_24h, at }
}

/// A book of `depth` (1..=[`MAX_DEPTH`]) levels a side; sizes depend on (seed, symbol, second, level).
pub(crate) fn order_book(market: &Market, quote: Quote, depth: u32, seed: u64, at: OffsetDateTime) -> OrderBook {
    let f = &market.filters;
    let depth = depth.clamp(1, MAX_DEPTH);
    let gap = ceil_tick(quote.last / BPS, f.tick_size).max(f.tick_size);
    let key = mix(seed ^ fnv(market.symbol.to_string().as_bytes()) ^ mix(at.unix_timestamp() as u64));
    let size = |side: u64, level: u32| {
        let k = mix(key ^ (side << 32) ^ u64::from(level)) % 2_000 + 1;
        f.floor_quantity(Decimal::new(k as i64, 3)).max(f.min_quantity)
    };
    let bids = (0..depth)
        .map(|i| BookLevel { price: quote.bid - gap * Decimal::from(i), quantity: size(1, i) })
        .take_while(|l| l.price > Decimal::ZERO)
        .collect();
    let asks =
        (0..depth).map(|i| BookLevel { price: quote.ask + gap * Decimal::from(i), quantity: size(2, i) }).collect();
    OrderBook { symbol: market.symbol.clone(), bids, asks, at }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchanges::paper::markets::listings;
    use domain::exchange::ExchangeId;

    #[test]
    fn the_spread_is_at_least_a_tick_each_side() {
        let q = Quote::around(Decimal::from(100), Decimal::new(1, 2), Decimal::ZERO);
        assert_eq!((q.bid, q.ask), (Decimal::new(9_999, 2), Decimal::new(10_001, 2)));
        let q = Quote::around(Decimal::from(250_000), Decimal::new(1, 2), Decimal::from(2));
        assert_eq!((q.bid, q.ask), (Decimal::from(249_975), Decimal::from(250_025)));
    }

    #[test]
    fn books_are_sorted_bounded_and_on_the_filters() {
        let market = listings(ExchangeId::Binance).remove(0).market;
        let q = Quote::around(Decimal::from(60_000), market.filters.tick_size, Decimal::from(2));
        let book = order_book(&market, q, 7, 1, OffsetDateTime::UNIX_EPOCH);
        assert_eq!((book.bids.len(), book.asks.len()), (7, 7));
        assert!(book.bids.windows(2).all(|w| w[0].price > w[1].price));
        assert!(book.asks.windows(2).all(|w| w[0].price < w[1].price));
        assert_eq!((book.bids[0].price, book.asks[0].price), (q.bid, q.ask));
        for l in book.bids.iter().chain(&book.asks) {
            assert!(market.filters.check(l.quantity, l.price, true).is_ok(), "{l:?}");
        }
        assert_eq!(order_book(&market, q, 1_000, 1, OffsetDateTime::UNIX_EPOCH).asks.len(), 100);
    }
}
