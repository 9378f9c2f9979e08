//! Tests of the market-data cache against the scripted fake exchange, on a paused `tokio::time`
//! clock.

mod single_flight;
mod ttl;

use std::sync::Arc;

use domain::exchange::{ExchangeError, ExchangeId};

use super::{MarketCacheConfig, MarketDataCache};
use crate::exchanges::resilient::fake::FakeExchange;

/// A fake Binance and a cache over it.
fn cached(config: MarketCacheConfig) -> (Arc<FakeExchange>, Arc<MarketDataCache>) {
    let fake = Arc::new(FakeExchange::new(ExchangeId::Binance));
    let cache = Arc::new(MarketDataCache::new(fake.clone(), config));
    (fake, cache)
}

fn unavailable() -> ExchangeError {
    ExchangeError::unavailable(anyhow::anyhow!("connection reset"))
}
