//! Tickers and order books.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Symbol;

/// The latest prices of a market.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticker {
    /// Market.
    pub symbol: Symbol,
    /// Last traded price.
    pub last: Decimal,
    /// Best bid.
    pub bid: Decimal,
    /// Best ask.
    pub ask: Decimal,
    /// Base-asset volume over the last 24 h.
    pub volume_24h: Decimal,
    /// When the exchange reported it (or when we read it).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl Ticker {
    /// `ask - bid`.
    pub fn spread(&self) -> Decimal {
        self.ask - self.bid
    }
}

/// One price level of a book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookLevel {
    /// Price.
    pub price: Decimal,
    /// Base quantity offered at that price.
    pub quantity: Decimal,
}

/// The order book: bids best (highest) first, asks best (lowest) first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderBook {
    /// Market.
    pub symbol: Symbol,
    /// Buy side, highest price first.
    pub bids: Vec<BookLevel>,
    /// Sell side, lowest price first.
    pub asks: Vec<BookLevel>,
    /// When it was read.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}
