//! Binance spot (REST v3) adapter of [`ExchangeGateway`]: one instance serves every user; signed
//! calls take the caller's credentials. Request weight is budgeted per outgoing IP through a
//! [`WeightLimiter`] shared by every instance of the process.

mod account;
mod client;
mod clock;
mod config;
mod dto;
mod errors;
pub mod limiter;
mod mapping;
mod market_data;
mod orders;
mod placement;
pub mod signing;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_trait::async_trait;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder, OrderRef,
    OrderRequest,
};
use domain::market::{Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};

use client::{HttpClient, Network};
use config::host_of;
pub use config::BinanceConfig;
pub use limiter::{LimiterConfig, WeightLimiter};

/// The Binance spot adapter. Holds no credentials; `Debug` shows only URLs and budgets.
pub struct BinanceExchange {
    http: HttpClient,
    live: Network,
    testnet: Network,
    config: BinanceConfig,
}

impl std::fmt::Debug for BinanceExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinanceExchange")
            .field("base_url", &self.live.base_url)
            .field("testnet_base_url", &self.testnet.base_url)
            .field("outgoing_ip", &self.config.outgoing_ip)
            .field("weight_budget", &self.config.limiter.budget)
            .finish_non_exhaustive()
    }
}

impl BinanceExchange {
    /// An adapter using the process-wide limiters of `(config.outgoing_ip, host)` for the live
    /// and the testnet host, so every instance of the process, and so every user, shares one
    /// budget per outgoing IP and Binance host.
    pub fn new(config: BinanceConfig) -> Result<Self, ExchangeError> {
        let scope = |base_url: &str| format!("{}@{}", config.outgoing_ip, host_of(base_url));
        let live = WeightLimiter::shared(ExchangeId::Binance, &scope(&config.base_url), config.limiter);
        let testnet = WeightLimiter::shared(ExchangeId::Binance, &scope(&config.testnet_base_url), config.limiter);
        Self::with_limiters(config, live, testnet)
    }

    /// An adapter with the given limiters (live network, testnet); the same `Arc` may be
    /// handed to both when one host serves both.
    pub fn with_limiters(
        config: BinanceConfig,
        live: Arc<WeightLimiter>,
        testnet: Arc<WeightLimiter>,
    ) -> Result<Self, ExchangeError> {
        let http = HttpClient::new(config.request_timeout, config.recv_window_ms, config.clock_max_age)?;
        Ok(Self {
            http,
            live: Network::new(&config.base_url, live),
            testnet: Network::new(&config.testnet_base_url, testnet),
            config,
        })
    }

    /// An adapter of its own against a local server (a mock), with fresh limiters: for tests and
    /// the exchange-port contract suite.
    pub fn local(base_url: &str) -> Self {
        let config = BinanceConfig::local(base_url);
        let live = Arc::new(WeightLimiter::new(config.limiter));
        let testnet = Arc::new(WeightLimiter::new(config.limiter));
        Self::with_limiters(config, live, testnet).expect("an HTTP client with default TLS settings builds")
    }

    /// The live network's weight limiter.
    pub fn limiter(&self) -> &Arc<WeightLimiter> {
        &self.live.limiter
    }

    /// The testnet's weight limiter.
    pub fn testnet_limiter(&self) -> &Arc<WeightLimiter> {
        &self.testnet.limiter
    }

    /// The network a key belongs to.
    fn network(&self, creds: &ApiCredentials) -> &Network {
        if creds.testnet {
            &self.testnet
        } else {
            &self.live
        }
    }
}

#[async_trait]
impl ExchangeGateway for BinanceExchange {
    fn id(&self) -> ExchangeId {
        ExchangeId::Binance
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        Timeframe::ALL.to_vec()
    }

    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        Ok(self.market_cache(&self.live).await?.markets.clone())
    }

    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        self.find_market(&self.live, symbol).await
    }

    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        self.fetch_ticker(symbol).await
    }

    async fn order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError> {
        self.fetch_order_book(symbol, depth).await
    }

    async fn candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        self.fetch_candles(symbol, timeframe, range).await
    }

    #[tracing::instrument(skip_all, fields(exchange = "binance", symbol = %order.symbol, client_order_id = %order.client_order_id), err(level = "warn"))]
    async fn place_order(&self, creds: &ApiCredentials, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        self.place(creds, order).await
    }

    #[tracing::instrument(skip_all, fields(exchange = "binance", %symbol, order = ?order), err(level = "warn"))]
    async fn cancel_order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.cancel(creds, symbol, order).await
    }

    async fn order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let net = self.network(creds);
        self.fetch_order(net, creds, symbol, order).await.map_err(|e| e.into_read_error(Some(symbol)))
    }

    async fn open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        self.fetch_open_orders(creds, symbol).await
    }

    #[tracing::instrument(skip_all, fields(exchange = "binance"), err(level = "warn"))]
    async fn balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        self.fetch_balances(creds).await
    }

    #[tracing::instrument(skip_all, fields(exchange = "binance", testnet = creds.testnet), err(level = "warn"))]
    async fn account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        self.fetch_account_info(creds).await
    }
}
