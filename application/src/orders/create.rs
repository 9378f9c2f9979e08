//! Use case: place a manual order in a context. The request is parsed (each bad field named),
//! checked against the market's filters and the free balance, and handed to the engine, which
//! stores it before the exchange hears of it. An `Idempotency-Key` makes a retried request
//! return the order the first one placed: the client order id is derived from the user and the
//! key, so even two concurrent retries store one order (the id is unique).

use domain::contexts::{ContextStatus, TradingContext};
use domain::exchange::{ClientOrderId, OrderKind, OrderSide, OrderSize, OrderType};
use domain::orders::{CreationContext, MarketConditions, NewOrder, Order, StrategySource};
use domain::shared::bounds::{Bound, AMOUNT, PRICE, QUANTITY};
use domain::shared::ids::{ContextId, UserId};
use domain::RepoError;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::checks::{check_balance, check_filters, OrderShape};
use super::{OrderError, OrderService};
use crate::exchanges::exchange_error;
use crate::FieldError;

/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// A manual order in one of the owner's contexts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateOrderInput {
    /// The context (market and exchange account) it is placed in.
    pub context_id: ContextId,
    /// The order.
    pub request: OrderRequest,
}

/// An order's side, type, size and idempotency key as the client sends them, the side and type
/// read at the edge (the size is checked here, with what the side and type allow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    /// Buy or sell.
    pub side: OrderSide,
    /// Market or limit.
    pub order_type: OrderType,
    /// Base quantity.
    pub quantity: Option<Decimal>,
    /// Quote amount to spend (market buys only), instead of a quantity.
    pub quote_amount: Option<Decimal>,
    /// Limit price (limit orders only).
    pub price: Option<Decimal>,
    /// The client's `Idempotency-Key`, if any.
    pub idempotency_key: Option<String>,
}

/// An order's amounts as the client sends them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderAmounts {
    /// Base quantity.
    pub quantity: Option<Decimal>,
    /// Quote amount to spend, instead of a quantity.
    pub quote_amount: Option<Decimal>,
    /// Limit price.
    pub price: Option<Decimal>,
}

/// A created order, and whether it was placed by an earlier request with the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The order as stored.
    pub order: Order,
    /// `true` when an earlier request with the same `Idempotency-Key` placed it.
    pub replayed: bool,
}

/// The client order id of `user`'s order under idempotency `key`: `bf-` and the first 32 hex
/// digits of SHA-256(`user:key`).
pub fn client_order_id_for(user: UserId, key: &str) -> ClientOrderId {
    let digest = Sha256::digest(format!("{user}:{key}").as_bytes());
    let id = format!("{}{}", ClientOrderId::PREFIX, &hex::encode(digest)[..32]);
    ClientOrderId::parse(&id).expect("`bf-` and 32 hex digits is a valid client order id")
}

/// Refuses `value` outside its documented `bound` (`invalid`, naming the field).
fn bounded(errors: &mut Vec<FieldError>, field: &str, value: Option<Decimal>, bound: Bound) {
    if let Some(Err(message)) = value.map(|v| bound.check(v)) {
        errors.push(FieldError::new(field, crate::FieldCode::Invalid, message));
    }
}

/// What an order's amounts break, when its side or type could not be read (`None`: refused and
/// named at the edge): so that one answer names every bad field.
pub fn amount_refusals(
    side: Option<OrderSide>,
    order_type: Option<OrderType>,
    amounts: OrderAmounts,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    shape_of(side, order_type, amounts, &mut errors);
    errors
}

/// The shape of an order; each bad field pushed onto `errors` (a `None` side or type adds
/// nothing of its own).
fn shape_of(
    side: Option<OrderSide>,
    order_type: Option<OrderType>,
    amounts: OrderAmounts,
    errors: &mut Vec<FieldError>,
) -> Option<OrderShape> {
    let OrderAmounts { quantity, quote_amount, price } = amounts;
    bounded(errors, "quantity", quantity, QUANTITY);
    bounded(errors, "quote_amount", quote_amount, AMOUNT);
    bounded(errors, "price", price, PRICE);
    let kind = order_type.and_then(|t| kind_of(t, price, errors));
    let size = match (quantity, quote_amount) {
        (Some(q), None) => Some(OrderSize::Quantity(q)),
        (None, Some(a)) if side == Some(OrderSide::Buy) && order_type == Some(OrderType::Market) => {
            Some(OrderSize::QuoteAmount(a))
        }
        (None, Some(_)) => {
            let message = "only market buys may be sized by quote_amount; give quantity instead";
            errors.push(FieldError::new("quote_amount", crate::FieldCode::NotAllowed, message));
            None
        }
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(
                "quote_amount",
                crate::FieldCode::NotAllowed,
                "give quantity or quote_amount, not both",
            ));
            None
        }
        (None, None) => {
            let message = "give quantity (or quote_amount, for a market buy)";
            errors.push(FieldError::new("quantity", crate::FieldCode::Required, message));
            None
        }
    };
    Some(OrderShape { side: side?, kind: kind?, size: size? })
}

/// Market or limit from the order's type and `price`; a bad pair is pushed onto `errors`.
fn kind_of(order_type: OrderType, price: Option<Decimal>, errors: &mut Vec<FieldError>) -> Option<OrderKind> {
    match (order_type, price) {
        (OrderType::Market, None) => Some(OrderKind::Market),
        (OrderType::Market, Some(_)) => {
            errors.push(FieldError::new(
                "price",
                crate::FieldCode::NotAllowed,
                "a market order takes no price; use type limit",
            ));
            None
        }
        (OrderType::Limit, Some(price)) => Some(OrderKind::Limit { price }),
        (OrderType::Limit, None) => {
            errors.push(FieldError::new("price", crate::FieldCode::Required, "a limit order needs a price"));
            None
        }
    }
}

impl OrderRequest {
    /// Its amounts.
    pub fn amounts(&self) -> OrderAmounts {
        OrderAmounts { quantity: self.quantity, quote_amount: self.quote_amount, price: self.price }
    }

    /// The order's side, type and size; every bad field is named. Errors: `Invalid`.
    pub fn shape(&self) -> Result<OrderShape, OrderError> {
        let mut errors = Vec::new();
        let shape = shape_of(Some(self.side), Some(self.order_type), self.amounts(), &mut errors);
        match shape {
            Some(shape) if errors.is_empty() => Ok(shape),
            _ => Err(OrderError::Invalid(errors)),
        }
    }

    /// Market or limit from `type` and `price`; a bad pair is pushed onto `errors`.
    pub(crate) fn kind(&self, errors: &mut Vec<FieldError>) -> Option<OrderKind> {
        kind_of(self.order_type, self.price, errors)
    }

    /// The `Idempotency-Key`, checked. Errors: `InvalidIdempotencyKey`.
    pub(crate) fn key(&self) -> Result<Option<&str>, OrderError> {
        let Some(key) = self.idempotency_key.as_deref() else { return Ok(None) };
        let printable = key.bytes().all(|b| b.is_ascii_graphic());
        if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN || !printable {
            return Err(OrderError::InvalidIdempotencyKey);
        }
        Ok(Some(key))
    }
}

impl OrderService {
    /// Places a manual order in one of the owner's contexts. Errors: `InvalidIdempotencyKey`;
    /// `ContextNotFound`; `ContextPaused`, `MarketClosed`, `IdempotencyKeyReused` (the key placed
    /// a different order); `Invalid` naming each bad field (`off_tick`, `off_step`,
    /// `below_min_quantity`, `above_max_quantity`, `below_min_notional`, `insufficient_balance`,
    /// …); the credential's and exchange's failures.
    pub async fn create(&self, owner: UserId, input: CreateOrderInput) -> Result<Placed, OrderError> {
        let CreateOrderInput { context_id, request: input } = input;
        let key = input.key()?;
        let shape = input.shape()?;
        let context = self.ports.contexts.get(owner, context_id).await?;
        let client_order_id = key.map(|k| client_order_id_for(owner, k));
        if let Some(id) = &client_order_id {
            if let Some(order) = self.replay(owner, id, &context, &shape).await? {
                return Ok(Placed { order, replayed: true });
            }
        }
        if context.status != ContextStatus::Active {
            return Err(OrderError::ContextPaused { reason: context.status_reason.clone().unwrap_or_default() });
        }
        let symbol = context.symbol();
        let gateway = self.ports.exchanges.gateway(context.exchange, context.mode)?;
        let market = gateway.market(&symbol).await.map_err(exchange_error)?;
        let ticker = gateway.ticker(&symbol).await.map_err(exchange_error)?;
        check_filters(&market, &ticker, &shape, context.quote.as_str())?;
        let free = self.free_balance(owner, &context).await?;
        check_balance(&shape, &ticker, &free, (context.base.as_str(), context.quote.as_str()))?;
        let new = NewOrder {
            user_id: owner,
            context_id: context.id,
            exchange: context.exchange,
            symbol,
            bot_id: None,
            source: StrategySource::Manual,
            side: shape.side,
            kind: shape.kind,
            size: shape.size,
            creation: creation(&input, &shape, &ticker),
            reason: Some("placed by its owner".into()),
        };
        let order = self.ports.executor.place_manual(&context, new, client_order_id).await?;
        Ok(Placed { order, replayed: false })
    }

    /// The order an earlier request with the same key placed, when there is one. Errors:
    /// `IdempotencyKeyReused` when it is a different order.
    async fn replay(
        &self,
        owner: UserId,
        id: &ClientOrderId,
        context: &TradingContext,
        shape: &OrderShape,
    ) -> Result<Option<Order>, OrderError> {
        let order = match self.ports.orders.get_by_client_id(id).await {
            Ok(order) => order,
            Err(RepoError::NotFound) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        let same = order.user_id == owner
            && order.context_id == context.id
            && (order.side, order.kind, order.size) == (shape.side, shape.kind, shape.size);
        if !same {
            return Err(key_reused());
        }
        Ok(Some(order))
    }
}

/// The refusal of a key that already placed a different order.
pub(crate) fn key_reused() -> OrderError {
    OrderError::IdempotencyKeyReused
}

/// What was known when the order was decided: the request and the book it was checked against.
fn creation(input: &OrderRequest, shape: &OrderShape, ticker: &domain::market::Ticker) -> CreationContext {
    let mut parameters = std::collections::BTreeMap::new();
    parameters.insert("side".to_owned(), input.side.as_str().to_owned());
    parameters.insert("type".to_owned(), input.order_type.as_str().to_owned());
    for (name, value) in [("quantity", input.quantity), ("quote_amount", input.quote_amount), ("price", input.price)] {
        if let Some(v) = value {
            parameters.insert(name.to_owned(), v.to_string());
        }
    }
    parameters.insert("reference_price".to_owned(), shape.reference_price(ticker).to_string());
    parameters.insert("last_price".to_owned(), ticker.last.to_string());
    CreationContext {
        parameters,
        indicators: Default::default(),
        market: MarketConditions::from_book(ticker.bid, ticker.ask),
    }
}

#[cfg(test)]
#[path = "create_tests.rs"]
mod tests;
