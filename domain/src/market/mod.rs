//! Market data: symbols, timeframes, candles, tickers, order books and trading filters.

mod aggregate;
mod candle;
mod filters;
mod symbol;
mod ticker;
mod timeframe;
mod volume_anomaly;

pub use aggregate::{aggregable, aggregate, bucket_start, NotAggregable};
pub use candle::{Candle, CandleRange};
pub use filters::{FilterViolation, Market, MarketFilters};
pub use symbol::{Asset, Symbol, SymbolError};
pub use ticker::{BookLevel, OrderBook, Ticker};
pub use timeframe::{Timeframe, UnknownTimeframe};
pub use volume_anomaly::{volume_reading, VolumeReading, VolumeRule};
