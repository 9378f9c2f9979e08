//! [`PaperExchange`]: the simulated exchange behind the [`ExchangeGateway`] port.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder, OrderRef,
    OrderRequest,
};
use domain::market::{Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};
use domain::{Clock, RepoError};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::account::Execution;
use super::candles;
use super::config::PaperConfig;
use super::markets::{listings, timeframes};
use super::prices::PriceEngine;
use super::quotes::{self, Quote};
use super::store::AccountStore;
use crate::exchanges::mercado_bitcoin;
use crate::store::DocumentStore;

/// A deterministic simulated exchange: real BTC candles replayed on an injected clock, synthetic
/// books, and paper accounts (one per API key) persisted in a [`DocumentStore`]. See
/// docs/exchanges/paper.md.
#[derive(Debug)]
pub struct PaperExchange {
    exchange: ExchangeId,
    config: PaperConfig,
    markets: HashMap<Symbol, Market>,
    prices: PriceEngine,
    accounts: AccountStore,
    clock: Arc<dyn Clock>,
}

impl PaperExchange {
    /// The paper version of `exchange`, with its accounts in `store` (whose collections and
    /// indexes it creates) and its time from `clock`.
    pub async fn open(
        exchange: ExchangeId,
        config: PaperConfig,
        store: Arc<dyn DocumentStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, RepoError> {
        let listed = listings(exchange);
        let prices = PriceEngine::new(&listed, &config);
        let accounts = AccountStore::new(store, exchange, config.initial_balances.clone());
        accounts.ensure().await?;
        let markets = listed.into_iter().map(|l| (l.market.symbol.clone(), l.market)).collect();
        Ok(Self { exchange, config, markets, prices, accounts, clock })
    }

    /// The settings it runs with.
    pub fn config(&self) -> &PaperConfig {
        &self.config
    }

    /// Overrides `symbol`'s price from now on (rounded to the tick; later prices follow the replay's
    /// moves from that level) and fills the resting orders it reaches. Returns the price set.
    /// Errors: `UnknownSymbol`; `Unavailable` when the store fails.
    pub async fn set_price(&self, symbol: &Symbol, price: Decimal) -> Result<Decimal, ExchangeError> {
        if price <= Decimal::ZERO {
            return Err(ExchangeError::Filter(domain::market::FilterViolation::NonPositivePrice));
        }
        let set = self.prices.set_price(symbol, price, self.now()).ok_or_else(|| unknown(symbol))?;
        self.tick().await?;
        Ok(set)
    }

    /// Tests and demos (paper control): takes `amount` of `asset` out of the free balance of the
    /// paper account `creds` name, as a withdrawal on a real exchange would; returns that asset's
    /// balance left. Errors: `Filter` for an amount that is not positive; `InsufficientBalance`;
    /// `Unauthorized` without an API key; `Unavailable` when the store fails.
    pub async fn withdraw(
        &self,
        creds: &ApiCredentials,
        asset: &str,
        amount: Decimal,
    ) -> Result<Balance, ExchangeError> {
        let id = self.account_id(creds)?;
        let _guard = self.accounts.lock(&id).await;
        self.match_locked(&id).await?;
        let left = self.accounts.update(&id, |account| account.withdraw(asset, amount)).await?;
        Ok(Balance { asset: asset.to_owned(), free: left.free.normalize(), locked: left.locked.normalize() })
    }

    /// Fills every account's resting orders that the market has reached; returns how many filled.
    pub async fn tick(&self) -> Result<usize, ExchangeError> {
        let mut filled = 0;
        for id in self.accounts.with_open_orders().await? {
            filled += self.match_account(&id).await?;
        }
        Ok(filled)
    }

    fn now_instant(&self) -> OffsetDateTime {
        domain::shared::clock::to_millis(self.clock.now())
    }

    fn now(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    fn market_of(&self, symbol: &Symbol) -> Result<&Market, ExchangeError> {
        self.markets.get(symbol).ok_or_else(|| unknown(symbol))
    }

    fn quote(&self, symbol: &Symbol) -> Result<Quote, ExchangeError> {
        let market = self.market_of(symbol)?;
        let last = self.prices.price(symbol, self.now()).ok_or_else(|| unknown(symbol))?;
        Ok(Quote::around(last, market.filters.tick_size, self.config.spread_bps))
    }

    fn execution(&self) -> Execution {
        Execution {
            slippage_bps: self.config.slippage_bps,
            taker_fee_bps: self.config.taker_fee_bps,
            maker_fee_bps: self.config.maker_fee_bps,
        }
    }

    fn account_id(&self, creds: &ApiCredentials) -> Result<String, ExchangeError> {
        if creds.api_key.expose().trim().is_empty() {
            return Err(ExchangeError::Unauthorized("the paper exchange needs an API key naming the account".into()));
        }
        Ok(self.accounts.account_id(creds.api_key.expose()))
    }

    /// Fills the account's resting orders the price reached since they were placed.
    async fn match_account(&self, id: &str) -> Result<usize, ExchangeError> {
        let _guard = self.accounts.lock(id).await;
        self.match_locked(id).await
    }

    async fn match_locked(&self, id: &str) -> Result<usize, ExchangeError> {
        let (now, now_ms, exec) = (self.now(), self.now_ms(), self.execution());
        let range = |symbol: &Symbol, since_ms: i64| {
            let since = since_ms.div_euclid(1_000);
            (since <= now).then(|| self.prices.extremes(symbol, since, now, true)).flatten().map(|x| (x.low, x.high))
        };
        self.accounts.update(id, |account| Ok(account.match_resting(range, &exec, now_ms))).await
    }

    fn now_ms(&self) -> i64 {
        let at = self.now_instant();
        i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }

    async fn find_order(&self, id: &str, symbol: &Symbol, order: &OrderRef) -> Result<ExchangeOrder, ExchangeError> {
        let (account, _) = self.accounts.load(id).await?;
        if let Some(found) = account.find(symbol, order) {
            return Ok(found.to_exchange());
        }
        match self.accounts.archived(id, order).await? {
            Some(found) if &found.symbol == symbol => Ok(found.to_exchange()),
            _ => Err(ExchangeError::OrderNotFound),
        }
    }
}

fn unknown(symbol: &Symbol) -> ExchangeError {
    ExchangeError::UnknownSymbol(symbol.clone())
}

#[async_trait]
impl ExchangeGateway for PaperExchange {
    fn id(&self) -> ExchangeId {
        self.exchange
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        timeframes(self.exchange)
    }

    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        Ok(listings(self.exchange).into_iter().map(|l| l.market).collect())
    }

    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        self.market_of(symbol).cloned()
    }

    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        let market = self.market_of(symbol)?;
        self.tick().await?;
        let now = self.now();
        let volume = self.prices.extremes(symbol, now - 86_400, now, true).map_or(Decimal::ZERO, |x| x.volume);
        Ok(quotes::ticker(market, self.quote(symbol)?, volume.normalize(), self.now_instant()))
    }

    async fn order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError> {
        let market = self.market_of(symbol)?;
        Ok(quotes::order_book(market, self.quote(symbol)?, depth, self.config.seed, self.now_instant()))
    }

    async fn candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        if !self.timeframes().contains(&timeframe) {
            return Err(ExchangeError::UnsupportedTimeframe(timeframe));
        }
        self.market_of(symbol)?;
        // Mercado Bitcoin builds 5m and 30m from finer candles and returns complete buckets only:
        // the paper market leaves the forming one out too (its candles equal such a build).
        let built = self.exchange == ExchangeId::MercadoBitcoin && mercado_bitcoin::source_of(timeframe).is_some();
        let asked = if built { CandleRange { limit: range.limit.saturating_add(1), ..range } } else { range };
        let now = self.now();
        let mut got = candles::candles(&self.prices, symbol, timeframe, asked, now).ok_or_else(|| unknown(symbol))?;
        if built {
            got.retain(|c| timeframe.close_of(c.open_time).unix_timestamp() <= now);
            got.drain(..got.len().saturating_sub(range.limit as usize));
        }
        Ok(got)
    }

    async fn place_order(&self, creds: &ApiCredentials, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        let id = self.account_id(creds)?;
        let market = self.market_of(&order.symbol)?.clone();
        let _guard = self.accounts.lock(&id).await;
        self.match_locked(&id).await?;
        if let Some(existing) = self.accounts.archived(&id, &OrderRef::Client(order.client_order_id.clone())).await? {
            return Ok(existing.to_exchange());
        }
        let (quote, exec, now_ms) = (self.quote(&order.symbol)?, self.execution(), self.now_ms());
        let placed = self.accounts.update(&id, |account| account.place(order, &market, quote, &exec, now_ms)).await?;
        Ok(placed.to_exchange())
    }

    async fn cancel_order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let id = self.account_id(creds)?;
        self.market_of(symbol)?;
        let _guard = self.accounts.lock(&id).await;
        self.match_locked(&id).await?;
        let now_ms = self.now_ms();
        let cancelled = self.accounts.update(&id, |account| Ok(account.cancel(symbol, order, now_ms))).await?;
        match cancelled {
            Some(found) => Ok(found.to_exchange()),
            None => self.find_order(&id, symbol, order).await,
        }
    }

    async fn order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let id = self.account_id(creds)?;
        self.market_of(symbol)?;
        let _guard = self.accounts.lock(&id).await;
        self.match_locked(&id).await?;
        self.find_order(&id, symbol, order).await
    }

    async fn open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        let id = self.account_id(creds)?;
        let _guard = self.accounts.lock(&id).await;
        self.match_locked(&id).await?;
        let (account, _) = self.accounts.load(&id).await?;
        Ok(account
            .orders
            .iter()
            .filter(|o| o.is_open() && symbol.as_ref().is_none_or(|s| &o.symbol == s))
            .map(|o| o.to_exchange())
            .collect())
    }

    async fn balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        let id = self.account_id(creds)?;
        let _guard = self.accounts.lock(&id).await;
        self.match_locked(&id).await?;
        let (account, _) = self.accounts.load(&id).await?;
        Ok(account
            .balances
            .iter()
            .map(|(asset, h)| Balance { asset: asset.clone(), free: h.free.normalize(), locked: h.locked.normalize() })
            .collect())
    }

    async fn account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        self.account_id(creds)?;
        Ok(AccountInfo { can_trade: true, can_withdraw: Some(false) })
    }
}
