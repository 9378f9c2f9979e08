//! Order placement: filter check before sending, the request body, and idempotence by
//! `externalId` (after a time-out or a 5xx the order is looked up before it is ever sent again).

use std::str::FromStr;

use domain::exchange::{
    ApiCredentials, ExchangeError, ExchangeOrder, ExchangeOrderStatus, OrderKind, OrderRequest, OrderSide, OrderSize,
};
use domain::market::{FilterViolation, Market};
use reqwest::Method;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::client::decode;
use super::dto::PlacedDto;
use super::limiter::Endpoint;
use super::MercadoBitcoin;

/// A decimal as the JSON number the API expects (`limitPrice`, `cost`), refused when the number
/// would not carry it exactly.
fn json_number(value: Decimal, field: &str) -> Result<Value, ExchangeError> {
    if value.fract().is_zero() {
        if let Some(whole) = value.to_i64() {
            return Ok(Value::from(whole));
        }
    }
    let float = value.to_f64().filter(|f| f.is_finite());
    let exact = float.filter(|f| Decimal::from_str(&f.to_string()).ok() == Some(value.normalize()));
    exact.and_then(serde_json::Number::from_f64).map(Value::Number).ok_or_else(|| ExchangeError::Rejected {
        code: "PRECISION".into(),
        message: format!("{field} {value} cannot be sent exactly"),
    })
}

fn unsupported(message: &str) -> ExchangeError {
    ExchangeError::Rejected { code: "UNSUPPORTED_ORDER".into(), message: message.into() }
}

/// A market buy by quote amount: the amount must reach the minimum notional and buy at least
/// the minimum quantity at the current ask.
fn check_cost(market: &Market, amount: Decimal, ask: Decimal) -> Result<(), FilterViolation> {
    let f = &market.filters;
    if !market.trading {
        return Err(FilterViolation::MarketClosed);
    }
    if amount <= Decimal::ZERO {
        return Err(FilterViolation::NonPositiveQuantity);
    }
    if ask <= Decimal::ZERO {
        return Err(FilterViolation::NonPositivePrice);
    }
    if amount < f.min_notional {
        return Err(FilterViolation::BelowMinNotional { notional: amount, min: f.min_notional });
    }
    let quantity = amount / ask;
    if quantity < f.min_quantity {
        return Err(FilterViolation::BelowMinQuantity { quantity, min: f.min_quantity });
    }
    Ok(())
}

impl MercadoBitcoin {
    /// Checks `order` against its market's filters and builds the body, or refuses it.
    pub(crate) async fn order_body(&self, order: &OrderRequest) -> Result<Value, ExchangeError> {
        let market = self.read_market(&order.symbol).await?;
        let mut body = Map::new();
        let side = match order.side {
            OrderSide::Buy => "buy",
            OrderSide::Sell => "sell",
        };
        body.insert("side".into(), json!(side));
        match (order.kind, order.size) {
            (OrderKind::Limit { price }, OrderSize::Quantity(quantity)) => {
                market.check(quantity, price, true)?;
                body.insert("type".into(), json!("limit"));
                body.insert("qty".into(), json!(quantity.normalize().to_string()));
                body.insert("limitPrice".into(), json_number(price, "limitPrice")?);
            }
            (OrderKind::Market, OrderSize::Quantity(quantity)) => {
                let ticker = self.read_ticker(&order.symbol).await?;
                let expected = if order.side == OrderSide::Buy { ticker.ask } else { ticker.bid };
                market.check(quantity, expected, false)?;
                body.insert("type".into(), json!("market"));
                body.insert("qty".into(), json!(quantity.normalize().to_string()));
            }
            (OrderKind::Market, OrderSize::QuoteAmount(amount)) if order.side == OrderSide::Buy => {
                let ticker = self.read_ticker(&order.symbol).await?;
                check_cost(&market, amount, ticker.ask)?;
                body.insert("type".into(), json!("market"));
                body.insert("cost".into(), json_number(amount, "cost")?);
            }
            (OrderKind::Market, OrderSize::QuoteAmount(_)) => {
                return Err(unsupported("Mercado Bitcoin sizes only market buys by quote amount"))
            }
            (OrderKind::Limit { .. }, OrderSize::QuoteAmount(_)) => {
                return Err(unsupported("a limit order is sized by quantity"))
            }
        }
        body.insert("externalId".into(), json!(order.client_order_id.as_str()));
        Ok(Value::Object(body))
    }

    /// Places `order`, sending it at most twice: a second time only when, after an unknown
    /// outcome, the order list confirmed the exchange does not know its `externalId`.
    pub(crate) async fn submit_order(
        &self,
        creds: &ApiCredentials,
        order: &OrderRequest,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let body = self.order_body(order).await?;
        let account = self.account_id(creds).await?;
        let path = format!("/accounts/{account}/{}/orders", order.symbol);
        let mut sends = 0;
        loop {
            sends += 1;
            let sent = self
                .private(creds, Endpoint::PlaceOrder, Some(&order.symbol), || {
                    self.http.request(Method::POST, &path).json(&body)
                })
                .await;
            let why = match sent {
                Ok(answer) => match decode::<PlacedDto>(&answer) {
                    Ok(placed) => return Ok(self.after_placement(creds, order, placed.order_id).await),
                    Err(_) => {
                        sends = 2; // accepted but unreadable: look it up, never send it again
                        "the placement answer was unreadable".to_owned()
                    }
                },
                Err(ExchangeError::OutcomeUnknown(why)) => why,
                Err(ExchangeError::Rejected { code, .. }) if code.ends_with("ORDER_DUPLICATE") => {
                    sends = 2; // the exchange knows this externalId: never send it again
                    "the exchange reports a duplicate externalId".to_owned()
                }
                Err(other) => return Err(other),
            };
            tracing::warn!(client_order_id = %order.client_order_id, %why, "order outcome unknown; looking it up");
            match self.find_by_client_id(creds, &account, &order.symbol, &order.client_order_id).await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) if sends < 2 => continue,
                Ok(None) => return Err(ExchangeError::OutcomeUnknown(format!("{why}; the order is not listed"))),
                Err(e) => return Err(ExchangeError::OutcomeUnknown(format!("{why}; lookup failed: {e}"))),
            }
        }
    }

    /// The order as the exchange now reports it; if that read fails, the accepted order as sent.
    async fn after_placement(&self, creds: &ApiCredentials, order: &OrderRequest, id: String) -> ExchangeOrder {
        match self.order_by_exchange_id(creds, &order.symbol, &id).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(order_id = %id, error = %e, "placed order could not be read back");
                let (quantity, quote_amount) = match order.size {
                    OrderSize::Quantity(q) => (Some(q), None),
                    OrderSize::QuoteAmount(a) => (None, Some(a)),
                };
                ExchangeOrder {
                    exchange_order_id: id,
                    client_order_id: Some(order.client_order_id.clone()),
                    symbol: order.symbol.clone(),
                    side: order.side,
                    kind: order.kind,
                    status: ExchangeOrderStatus::New,
                    quantity,
                    quote_amount,
                    filled_quantity: Decimal::ZERO,
                    filled_quote: Decimal::ZERO,
                    fills: Vec::new(),
                    created_at: Some(self.clock.now()),
                    updated_at: None,
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "tests/placement_tests.rs"]
mod tests;
