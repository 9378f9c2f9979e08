//! Existing orders: look-up by exchange or client id, cancel, and the open orders.

use domain::exchange::{ApiCredentials, ExchangeError, ExchangeOrder, OrderRef};
use domain::market::Symbol;
use reqwest::Method;

use super::client::{Call, Network};
use super::dto::OrderDto;
use super::errors::CallError;
use super::mapping::{binance_name, order_from_dto};
use super::BinanceExchange;

fn order_call(method: Method, weight: u32, symbol: &Symbol, order: &OrderRef) -> Call {
    let call = Call::new(method, "/api/v3/order", weight).param("symbol", binance_name(symbol));
    match order {
        OrderRef::Exchange(id) => call.param("orderId", id),
        OrderRef::Client(id) => call.param("origClientOrderId", id.as_str()),
    }
}

/// An order answer as the domain's order; an unreadable one is `Unavailable`.
pub(crate) fn to_order(dto: OrderDto, symbol: &Symbol) -> Result<ExchangeOrder, ExchangeError> {
    order_from_dto(dto, symbol.clone()).map_err(|e| ExchangeError::unavailable(anyhow::anyhow!("binance: {e}")))
}

impl BinanceExchange {
    /// `GET /api/v3/order` (weight 4).
    pub(crate) async fn fetch_order(
        &self,
        net: &Network,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, CallError> {
        let call = order_call(Method::GET, 4, symbol, order);
        let dto: OrderDto = self.http.signed(net, creds, &call).await?;
        Ok(to_order(dto, symbol)?)
    }

    /// `DELETE /api/v3/order` (weight 1). A lost answer is an unknown outcome: read the order.
    pub(crate) async fn cancel(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let call = order_call(Method::DELETE, 1, symbol, order);
        match self.http.signed::<OrderDto>(self.network(creds), creds, &call).await {
            Ok(dto) => to_order(dto, symbol),
            Err(CallError::Unknown(why)) => Err(ExchangeError::OutcomeUnknown(format!("cancel: {why}"))),
            Err(e) => Err(e.into_read_error(Some(symbol))),
        }
    }

    /// `GET /api/v3/openOrders` (weight 6 for one symbol, 80 for all). Orders in markets that
    /// exchangeInfo does not list (delisted) are skipped.
    pub(crate) async fn fetch_open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        let net = self.network(creds);
        let call = match &symbol {
            Some(s) => Call::get("/api/v3/openOrders", 6).param("symbol", binance_name(s)),
            None => Call::get("/api/v3/openOrders", 80),
        };
        let dtos: Vec<OrderDto> =
            self.http.signed(net, creds, &call).await.map_err(|e| e.into_read_error(symbol.as_ref()))?;
        if let Some(s) = &symbol {
            return dtos.into_iter().map(|dto| to_order(dto, s)).collect();
        }
        let markets = self.market_cache(net).await?;
        let mut orders = Vec::with_capacity(dtos.len());
        for dto in dtos {
            match markets.symbol_of(&dto.symbol).cloned() {
                Some(s) => orders.push(to_order(dto, &s)?),
                None => tracing::warn!(symbol = %dto.symbol, "binance open order in an unlisted market skipped"),
            }
        }
        Ok(orders)
    }
}
