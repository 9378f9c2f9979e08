//! Mercado Bitcoin API v4 adapter of [`ExchangeGateway`](domain::exchange::ExchangeGateway).
//!
//! Bearer tokens (OAuth2 client credentials or `POST /authorize`) are cached per credential and
//! renewed before expiry; the account id is read once per credential; orders carry our client
//! order id as `externalId` and are placed idempotently; every call goes through a process-wide
//! rate limiter and has a time-out. See `docs/exchanges/mercado_bitcoin.md`.

mod auth;
mod client;
mod config;
mod dto;
mod errors;
mod gateway;
mod limiter;
mod mapping;
mod market_data;
mod orders;
mod placement;
mod session;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::market::Market;
use domain::Clock;
use time::OffsetDateTime;

pub use config::{AuthMode, MercadoBitcoinConfig, DEFAULT_BASE_URL};
pub use limiter::RateLimiter;
pub use market_data::{source_of, DEFAULT_STEP_SIZE, DERIVED, MAX_CANDLES, MAX_DEPTH, SERVED, TIMEFRAMES};

use auth::{CredKey, Tokens};
use client::Http;

/// The Mercado Bitcoin adapter, shared by every user of the server. Holds no secret beyond the
/// per-credential bearer tokens it caches.
#[derive(Debug)]
pub struct MercadoBitcoin {
    http: Arc<Http>,
    tokens: Tokens,
    clock: Arc<dyn Clock>,
    accounts: Mutex<HashMap<CredKey, String>>,
    markets: Mutex<Option<(OffsetDateTime, Vec<Market>)>>,
}

impl MercadoBitcoin {
    /// The adapter with the system clock and the process-wide rate limiter.
    pub fn new(config: MercadoBitcoinConfig) -> Self {
        Self::with_parts(config, Arc::new(crate::clock::SystemClock), RateLimiter::shared())
    }

    /// The adapter with an explicit clock (token expiry, market cache) and limiter.
    pub fn with_parts(config: MercadoBitcoinConfig, clock: Arc<dyn Clock>, limiter: Arc<RateLimiter>) -> Self {
        let http = Arc::new(Http::new(config, limiter));
        Self {
            tokens: Tokens::new(http.clone(), clock.clone()),
            http,
            clock,
            accounts: Mutex::new(HashMap::new()),
            markets: Mutex::new(None),
        }
    }
}
