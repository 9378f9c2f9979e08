//! Market data: symbols, timeframes, candles, tickers, order books and trading filters.

mod candle;
mod filters;
mod symbol;
mod ticker;
mod timeframe;

pub use candle::{Candle, CandleRange};
pub use filters::{FilterViolation, Market, MarketFilters};
pub use symbol::{Asset, Symbol, SymbolError};
pub use ticker::{BookLevel, OrderBook, Ticker};
pub use timeframe::{Timeframe, UnknownTimeframe};
