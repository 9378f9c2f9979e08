//! [`ExchangeGateway`] for [`MercadoBitcoin`]: each method delegates to the module of its concern.

use async_trait::async_trait;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder, OrderRef,
    OrderRequest,
};
use domain::market::{Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};

use super::market_data::TIMEFRAMES;
use super::MercadoBitcoin;

#[async_trait]
impl ExchangeGateway for MercadoBitcoin {
    fn id(&self) -> ExchangeId {
        ExchangeId::MercadoBitcoin
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        TIMEFRAMES.to_vec()
    }

    #[tracing::instrument(skip_all, err)]
    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        self.read_markets().await
    }

    #[tracing::instrument(skip_all, fields(%symbol), err)]
    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        self.read_market(symbol).await
    }

    #[tracing::instrument(skip_all, fields(%symbol), err)]
    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        self.read_ticker(symbol).await
    }

    #[tracing::instrument(skip_all, fields(%symbol, depth), err)]
    async fn order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError> {
        self.read_order_book(symbol, depth).await
    }

    #[tracing::instrument(skip_all, fields(%symbol, %timeframe), err)]
    async fn candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        self.read_candles(symbol, timeframe, range).await
    }

    #[tracing::instrument(skip_all, fields(symbol = %order.symbol, client_order_id = %order.client_order_id), err)]
    async fn place_order(&self, creds: &ApiCredentials, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        self.submit_order(creds, order).await
    }

    #[tracing::instrument(skip_all, fields(%symbol), err)]
    async fn cancel_order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.cancel(creds, symbol, order).await
    }

    #[tracing::instrument(skip_all, fields(%symbol), err)]
    async fn order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.read_order(creds, symbol, order).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        self.read_open_orders(creds, symbol.as_ref()).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        self.read_balances(creds).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        self.read_account_info(creds).await
    }
}
