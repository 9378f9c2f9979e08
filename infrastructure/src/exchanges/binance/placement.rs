//! Order placement: checked against the market's filters first (an order they refuse is never
//! sent), and idempotent: an unknown outcome is resolved by the client order id before the order
//! is ever sent again, and it is sent again at most once, only when Binance does not know it.

use std::time::Duration;

use domain::exchange::{
    ApiCredentials, ExchangeError, ExchangeOrder, OrderKind, OrderRef, OrderRequest, OrderSide, OrderSize,
};
use domain::market::FilterViolation;
use reqwest::Method;
use rust_decimal::Decimal;

use super::client::{Call, Network};
use super::dto::OrderDto;
use super::errors::{CallError, FILTER_FAILURE};
use super::mapping::binance_name;
use super::orders::to_order;
use super::BinanceExchange;

/// Clock error allowed for on top of `recvWindow` before a lost request is deemed expired.
const SETTLE_MARGIN: Duration = Duration::from_millis(500);

/// What looking up an order of unknown outcome found.
enum Lookup {
    Found(Box<ExchangeOrder>),
    /// Binance said twice in a row that it does not know the client order id.
    Absent,
    /// Neither: the look-ups failed.
    Unresolved(String),
}

/// `POST /api/v3/order` (weight 1) for a request, asking for the `FULL` answer (fills included).
fn placement_call(order: &OrderRequest) -> Call {
    let side = match order.side {
        OrderSide::Buy => "BUY",
        OrderSide::Sell => "SELL",
    };
    let mut call =
        Call::new(Method::POST, "/api/v3/order", 1).param("symbol", binance_name(&order.symbol)).param("side", side);
    call = match order.kind {
        OrderKind::Market => call.param("type", "MARKET"),
        OrderKind::Limit { .. } => call.param("type", "LIMIT").param("timeInForce", "GTC"),
    };
    call = match order.size {
        OrderSize::Quantity(q) => call.param("quantity", q.normalize()),
        OrderSize::QuoteAmount(a) => call.param("quoteOrderQty", a.normalize()),
    };
    if let OrderKind::Limit { price } = order.kind {
        call = call.param("price", price.normalize());
    }
    call.param("newClientOrderId", order.client_order_id.as_str()).param("newOrderRespType", "FULL")
}

impl BinanceExchange {
    /// Places `order` (`POST /api/v3/order`, weight 1) after the filter check; see the module.
    pub(crate) async fn place(
        &self,
        creds: &ApiCredentials,
        order: &OrderRequest,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let net = self.network(creds);
        self.check_filters(net, order).await?;
        let call = placement_call(order);
        let why = match self.http.signed::<OrderDto>(net, creds, &call).await {
            Ok(dto) => return to_order(dto, &order.symbol),
            Err(CallError::Unknown(why)) => why,
            // The id is already taken by an open order: an earlier attempt got through.
            Err(e) if e.is_duplicate_order() => "duplicate order sent".to_owned(),
            Err(CallError::Api { code: FILTER_FAILURE, msg }) => {
                return Err(self.filter_failure(net, order, msg).await)
            }
            Err(e) => return Err(e.into_read_error(Some(&order.symbol))),
        };
        tracing::warn!(client_order_id = %order.client_order_id, %why, "binance order outcome unknown; looking it up");
        self.wait_until_expired().await;
        match self.look_up(net, creds, order).await {
            Lookup::Found(found) => return Ok(*found),
            Lookup::Unresolved(how) => return Err(ExchangeError::OutcomeUnknown(format!("{why}; look-up: {how}"))),
            Lookup::Absent => {}
        }
        // Binance confirmed it never took the order: sending it again, with the same client
        // order id, is safe. This happens at most once.
        tracing::info!(client_order_id = %order.client_order_id, "binance does not know the order; sending it once more");
        let why = match self.http.signed::<OrderDto>(net, creds, &call).await {
            Ok(dto) => return to_order(dto, &order.symbol),
            Err(CallError::Unknown(why)) => why,
            Err(e) if e.is_duplicate_order() => "duplicate order sent".to_owned(),
            Err(e) => return Err(e.into_read_error(Some(&order.symbol))),
        };
        self.wait_until_expired().await;
        match self.look_up(net, creds, order).await {
            Lookup::Found(found) => Ok(*found),
            Lookup::Absent => Err(ExchangeError::OutcomeUnknown(format!("resent order: {why}; not found since"))),
            Lookup::Unresolved(how) => {
                Err(ExchangeError::OutcomeUnknown(format!("resent order: {why}; look-up: {how}")))
            }
        }
    }

    /// Binance refuses a request arriving later than its timestamp + recvWindow, and the lost
    /// request was stamped before now: after this wait, a copy still in flight can no longer
    /// create the order, so a "does not exist" is final.
    async fn wait_until_expired(&self) {
        tokio::time::sleep(Duration::from_millis(self.config.recv_window_ms) + SETTLE_MARGIN).await;
    }

    /// Looks the order up by client order id, with a growing pause before each attempt.
    async fn look_up(&self, net: &Network, creds: &ApiCredentials, order: &OrderRequest) -> Lookup {
        let by_client = OrderRef::Client(order.client_order_id.clone());
        let mut absent_in_a_row = 0;
        let mut last = "no attempt".to_owned();
        for attempt in 1..=self.config.lookup_attempts.max(2) {
            tokio::time::sleep(self.config.lookup_backoff * attempt).await;
            match self.fetch_order(net, creds, &order.symbol, &by_client).await {
                Ok(found) => return Lookup::Found(Box::new(found)),
                // A single "does not exist" may precede the matching engine's answer: ask again.
                Err(e) if e.is_no_such_order() => {
                    absent_in_a_row += 1;
                    if absent_in_a_row >= 2 {
                        return Lookup::Absent;
                    }
                    last = "order does not exist (yet)".to_owned();
                }
                Err(e) => {
                    absent_in_a_row = 0;
                    let err = e.into_read_error(Some(&order.symbol));
                    last = err.to_string();
                    if matches!(err, ExchangeError::RateLimited { .. } | ExchangeError::Banned { .. }) {
                        break;
                    }
                }
            }
        }
        Lookup::Unresolved(last)
    }

    /// Binance refused the order with `-1013` although our copy of the filters let it through:
    /// they changed. Refreshes exchangeInfo and reports the violation the new filters find, or
    /// the rejection as it came when they still find none.
    async fn filter_failure(&self, net: &Network, order: &OrderRequest, msg: String) -> ExchangeError {
        self.forget_markets(net).await;
        match self.check_filters(net, order).await {
            Err(e @ ExchangeError::Filter(_)) => e,
            _ => ExchangeError::Rejected { code: FILTER_FAILURE.to_string(), message: msg },
        }
    }

    /// Refuses, without calling the exchange, an order the market's filters would refuse.
    async fn check_filters(&self, net: &Network, order: &OrderRequest) -> Result<(), ExchangeError> {
        let market = self.find_market(net, &order.symbol).await?;
        match (order.kind, order.size) {
            (OrderKind::Limit { price }, OrderSize::Quantity(quantity)) => market.check(quantity, price, true)?,
            (OrderKind::Market, OrderSize::Quantity(quantity)) => {
                let price = self.last_price(net, &order.symbol).await?;
                market.check(quantity, price, false)?;
            }
            (OrderKind::Market, OrderSize::QuoteAmount(amount)) => {
                if !market.trading {
                    return Err(FilterViolation::MarketClosed.into());
                }
                if amount <= Decimal::ZERO {
                    return Err(FilterViolation::NonPositiveQuantity.into());
                }
                if amount < market.filters.min_notional {
                    let min = market.filters.min_notional;
                    return Err(FilterViolation::BelowMinNotional { notional: amount, min }.into());
                }
            }
            (OrderKind::Limit { .. }, OrderSize::QuoteAmount(_)) => {
                let message = "a limit order is sized by quantity, not by quote amount".to_owned();
                return Err(ExchangeError::Rejected { code: "invalid_request".to_owned(), message });
            }
        }
        Ok(())
    }
}
