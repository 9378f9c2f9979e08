//! The adapter against local wiremock servers serving Binance's documented payloads: request
//! shape and signatures, limits, failures, idempotent placement and market-data mapping.

mod fixtures;
mod limits;
mod market_data;
mod placement;
mod requests;
mod resilience;
