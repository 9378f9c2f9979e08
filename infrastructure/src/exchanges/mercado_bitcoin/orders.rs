//! Reading and cancelling orders: by exchange id, by `externalId` (our client order id, found
//! in the market's order list), open orders, and cancel.

use domain::exchange::{ApiCredentials, ClientOrderId, ExchangeError, ExchangeOrder, OrderRef};
use domain::market::Symbol;
use reqwest::Method;

use super::client::decode;
use super::dto::{OrderDto, OrderItemsDto};
use super::errors::read_only;
use super::limiter::Endpoint;
use super::{mapping, MercadoBitcoin};

impl MercadoBitcoin {
    /// One order by the exchange's id. Errors: `OrderNotFound`.
    pub(crate) async fn order_by_exchange_id(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        id: &str,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let account = self.account_id(creds).await?;
        let path = format!("/accounts/{account}/{symbol}/orders/{id}");
        let body = self
            .private(creds, Endpoint::GetOrder, Some(symbol), || self.http.request(Method::GET, &path))
            .await
            .map_err(read_only)?;
        mapping::order(&decode::<OrderDto>(&body)?, symbol)
    }

    /// The order carrying `client` as `externalId`, from the market's order list (most recent
    /// first); `None` when the list does not hold it.
    pub(crate) async fn find_by_client_id(
        &self,
        creds: &ApiCredentials,
        account: &str,
        symbol: &Symbol,
        client: &ClientOrderId,
    ) -> Result<Option<ExchangeOrder>, ExchangeError> {
        let path = format!("/accounts/{account}/{symbol}/orders");
        let body = self
            .private(creds, Endpoint::ListOrders, Some(symbol), || self.http.request(Method::GET, &path))
            .await
            .map_err(read_only)?;
        let orders: Vec<OrderDto> = decode(&body)?;
        orders
            .iter()
            .find(|o| o.external_id.as_deref() == Some(client.as_str()))
            .map(|o| mapping::order(o, symbol))
            .transpose()
    }

    /// One order by either id. Errors: `OrderNotFound`.
    pub(crate) async fn read_order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        match order {
            OrderRef::Exchange(id) => self.order_by_exchange_id(creds, symbol, id).await,
            OrderRef::Client(client) => {
                let account = self.account_id(creds).await?;
                self.find_by_client_id(creds, &account, symbol, client).await?.ok_or(ExchangeError::OrderNotFound)
            }
        }
    }

    /// Cancels synchronously (`async=false`) and reads the order back. An order already filled
    /// or cancelled (`ORDER_PROCESSED`) is returned as it stands. Errors: `OrderNotFound`.
    pub(crate) async fn cancel(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let id = match order {
            OrderRef::Exchange(id) => id.clone(),
            OrderRef::Client(_) => self.read_order(creds, symbol, order).await?.exchange_order_id,
        };
        let account = self.account_id(creds).await?;
        let path = format!("/accounts/{account}/{symbol}/orders/{id}");
        let cancelled = self
            .private(creds, Endpoint::CancelOrder, Some(symbol), || {
                self.http.request(Method::DELETE, &path).query(&[("async", "false")])
            })
            .await;
        match cancelled {
            Ok(_) => {}
            Err(ExchangeError::Rejected { code, .. }) if code.ends_with("ORDER_PROCESSED") => {}
            Err(e) => return Err(e),
        }
        self.order_by_exchange_id(creds, symbol, &id).await
    }

    /// Open orders (`created` or `working`), in one market or all.
    pub(crate) async fn read_open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<&Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        let account = self.account_id(creds).await?;
        let path = format!("/accounts/{account}/orders");
        let mut query = vec![("status", "created,working".to_owned())];
        if let Some(s) = symbol {
            query.push(("symbol", s.to_string()));
        }
        let body = self
            .private(creds, Endpoint::ListAllOrders, symbol, || self.http.request(Method::GET, &path).query(&query))
            .await
            .map_err(read_only)?;
        let items: OrderItemsDto = decode(&body)?;
        let mut open = Vec::with_capacity(items.items.len());
        for dto in &items.items {
            let fallback = match (dto.instrument.as_deref(), symbol) {
                (_, Some(s)) => s.clone(),
                (Some(raw), None) => Symbol::parse(raw).map_err(ExchangeError::unavailable)?,
                (None, None) => {
                    return Err(ExchangeError::unavailable(anyhow::anyhow!("open order without instrument")))
                }
            };
            let order = mapping::order(dto, &fallback)?;
            if order.status.is_open() && symbol.is_none_or(|s| *s == order.symbol) {
                open.push(order);
            }
        }
        Ok(open)
    }
}
