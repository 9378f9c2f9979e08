//! [`MarketDataCache`]: one shared fetch of each ticker, book, candle series and market list per
//! exchange, served to every user and bot; account calls pass straight through.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder, OrderRef,
    OrderRequest,
};
use domain::market::{Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};
use time::OffsetDateTime;

use super::config::MarketCacheConfig;
use super::ttl_cache::TtlCache;

/// Caches the public market data of one exchange (which needs no credentials, so one entry
/// serves everyone): tickers, order books, latest-candle series (ranges with a `start` or an
/// `end` pass through), single markets and the market list. Concurrent misses of one key make one
/// inner call; errors are never kept. See docs/exchanges/resilience.md.
pub struct MarketDataCache {
    inner: Arc<dyn ExchangeGateway>,
    config: MarketCacheConfig,
    tickers: TtlCache<Symbol, Ticker>,
    books: TtlCache<(Symbol, u32), OrderBook>,
    candles: TtlCache<(Symbol, Timeframe, u32), Vec<Candle>>,
    market: TtlCache<Symbol, Market>,
    markets: TtlCache<(), Vec<Market>>,
}

impl std::fmt::Debug for MarketDataCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarketDataCache")
            .field("exchange", &self.inner.id())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl MarketDataCache {
    /// Caches `inner`'s market data with `config`'s TTLs.
    pub fn new(inner: Arc<dyn ExchangeGateway>, config: MarketCacheConfig) -> Self {
        let n = config.max_entries;
        Self {
            inner,
            config,
            tickers: TtlCache::new(n),
            books: TtlCache::new(n),
            candles: TtlCache::new(n),
            market: TtlCache::new(n),
            markets: TtlCache::new(1),
        }
    }

    /// [`MarketDataCache::new`], ready to hand out as the port.
    pub fn wrap(inner: Arc<dyn ExchangeGateway>, config: MarketCacheConfig) -> Arc<dyn ExchangeGateway> {
        Arc::new(Self::new(inner, config))
    }

    /// How long a latest-candle series stays: the configured TTL, cut at the end of the newest
    /// candle's period (but not below `candle_min_ttl`).
    fn candle_ttl(&self, timeframe: Timeframe, candles: &[Candle]) -> Duration {
        let ttl = self.config.candle_ttl;
        let Some(newest) = candles.last() else { return ttl };
        let period_end = newest.open_time + time::Duration::seconds(timeframe.seconds());
        let left = Duration::try_from(period_end - OffsetDateTime::now_utc()).unwrap_or(Duration::ZERO);
        ttl.min(left.max(self.config.candle_min_ttl))
    }
}

#[async_trait]
impl ExchangeGateway for MarketDataCache {
    fn id(&self) -> ExchangeId {
        self.inner.id()
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        self.inner.timeframes()
    }

    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        let ttl = self.config.markets_ttl;
        if ttl.is_zero() {
            return self.inner.markets().await;
        }
        self.markets.get_or_fetch((), |_| ttl, || self.inner.markets()).await
    }

    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        let ttl = self.config.markets_ttl;
        if ttl.is_zero() {
            return self.inner.market(symbol).await;
        }
        self.market.get_or_fetch(symbol.clone(), |_| ttl, || self.inner.market(symbol)).await
    }

    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        let ttl = self.config.ticker_ttl;
        if ttl.is_zero() {
            return self.inner.ticker(symbol).await;
        }
        self.tickers.get_or_fetch(symbol.clone(), |_| ttl, || self.inner.ticker(symbol)).await
    }

    async fn order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError> {
        let ttl = self.config.order_book_ttl;
        if ttl.is_zero() {
            return self.inner.order_book(symbol, depth).await;
        }
        self.books.get_or_fetch((symbol.clone(), depth), |_| ttl, || self.inner.order_book(symbol, depth)).await
    }

    async fn candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        let latest = range.start.is_none() && range.end.is_none();
        if !latest || self.config.candle_ttl.is_zero() {
            return self.inner.candles(symbol, timeframe, range).await;
        }
        let key = (symbol.clone(), timeframe, range.limit);
        let ttl = |candles: &Vec<Candle>| self.candle_ttl(timeframe, candles);
        self.candles.get_or_fetch(key, ttl, || self.inner.candles(symbol, timeframe, range)).await
    }

    async fn place_order(&self, creds: &ApiCredentials, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        self.inner.place_order(creds, order).await
    }

    async fn cancel_order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.inner.cancel_order(creds, symbol, order).await
    }

    async fn order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.inner.order(creds, symbol, order).await
    }

    async fn open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        self.inner.open_orders(creds, symbol).await
    }

    async fn balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        self.inner.balances(creds).await
    }

    async fn account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        self.inner.account_info(creds).await
    }
}
