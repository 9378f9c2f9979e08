//! The exchange gateway port.

use async_trait::async_trait;

use super::{AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeId, ExchangeOrder, OrderRef, OrderRequest};
use crate::market::{Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};

/// One exchange, shared by every user of the server. Market data needs no credentials; account
/// calls take the caller's decrypted credentials. Adapters own rate limiting (per outgoing IP),
/// clock sync and symbol mapping, and return only normalised types.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ExchangeGateway: Send + Sync {
    /// Which exchange this is.
    fn id(&self) -> ExchangeId;

    /// The candle timeframes the exchange serves.
    fn timeframes(&self) -> Vec<Timeframe>;

    /// Every market with its filters.
    async fn markets(&self) -> Result<Vec<Market>, ExchangeError>;

    /// One market. Errors: `UnknownSymbol`.
    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError>;

    /// Latest prices. Errors: `UnknownSymbol`.
    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError>;

    /// The book to `depth` levels a side.
    async fn order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError>;

    /// Candles, oldest first. Errors: `UnsupportedTimeframe`, `UnknownSymbol`.
    async fn candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError>;

    /// Places an order. The request's client order id must already be persisted. On
    /// `OutcomeUnknown` the caller must look the order up by client id before anything else;
    /// adapters do that lookup themselves before returning `OutcomeUnknown`, and never send the
    /// same client order id twice unless the exchange confirmed it does not know it.
    async fn place_order(&self, creds: &ApiCredentials, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError>;

    /// Cancels an order; returns its state after the cancel request (which may still be open
    /// where the exchange cancels asynchronously). Errors: `OrderNotFound`.
    async fn cancel_order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError>;

    /// One order by exchange id or client id. Errors: `OrderNotFound`.
    async fn order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError>;

    /// Open orders, in one market or all.
    async fn open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError>;

    /// Balances of every asset (zero balances may be omitted).
    async fn balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError>;

    /// What the key may do. Errors: `Unauthorized` when the exchange refuses it.
    async fn account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError>;
}
