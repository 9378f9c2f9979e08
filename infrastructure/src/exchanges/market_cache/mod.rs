//! A shared market-data cache in front of any exchange gateway: one fetch per ticker, book,
//! candle series or market list serves every user and bot. See docs/exchanges/resilience.md.

mod config;
mod gateway;
mod ttl_cache;

#[cfg(test)]
mod tests;

pub use config::{MarketCacheConfig, MarketCacheConfigError};
pub use gateway::MarketDataCache;
