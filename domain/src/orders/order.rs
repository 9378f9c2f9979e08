//! The order aggregate: what we asked an exchange to do, why, and what it did so far.

use crate::notifications::Outbox;
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{CreationContext, OrderStatus, StrategySource};
use crate::exchange::{ClientOrderId, ExchangeId, OrderKind, OrderRequest, OrderSide, OrderSize};
use crate::market::Symbol;
use crate::shared::clock::to_millis;
use crate::shared::ids::{BotId, ContextId, OrderId, UserId};

/// One execution of an order, as journaled locally (deduplicated by `trade_id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFill {
    /// The exchange's trade id.
    pub trade_id: String,
    /// Price.
    pub price: Decimal,
    /// Base quantity.
    pub quantity: Decimal,
    /// Fee charged.
    pub fee: Decimal,
    /// Asset the fee was charged in.
    pub fee_asset: String,
    /// When it happened, when the exchange said so (whole milliseconds).
    pub at: Option<OffsetDateTime>,
}

/// An order we placed, or adopted from an exchange. Stored before it is sent, so a lost answer
/// can be resolved by its client order id; then kept up to date by [`Order::apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// Id.
    pub id: OrderId,
    /// Owner.
    pub user_id: UserId,
    /// The trading context it belongs to.
    pub context_id: ContextId,
    /// Exchange.
    pub exchange: ExchangeId,
    /// Market.
    pub symbol: Symbol,
    /// The bot that placed it; `None` for a manual or adopted order.
    pub bot_id: Option<BotId>,
    /// Which strategy placed it.
    pub source: StrategySource,
    /// Buy or sell.
    pub side: OrderSide,
    /// Market or limit (with its price).
    pub kind: OrderKind,
    /// Requested size.
    pub size: OrderSize,
    /// Life-cycle state.
    pub status: OrderStatus,
    /// Base quantity filled so far.
    pub filled_quantity: Decimal,
    /// Quote amount filled so far.
    pub filled_quote: Decimal,
    /// `filled_quote / filled_quantity`, once anything filled.
    pub average_fill_price: Option<Decimal>,
    /// Fees paid so far, per asset.
    pub fees: BTreeMap<String, Decimal>,
    /// Executions known so far, in the order they were learnt.
    pub fills: Vec<OrderFill>,
    /// The exchange's id, once it acknowledged the order.
    pub exchange_order_id: Option<String>,
    /// Our id, sent to the exchange. Unique.
    pub client_order_id: ClientOrderId,
    /// What was known when the order was decided.
    pub creation: CreationContext,
    /// Why the bot (or user) placed it.
    pub reason: Option<String>,
    /// Found on the exchange, not placed by botfleet.
    pub adopted: bool,
    /// Ended by botfleet because its exchange no longer knew it (see [`Order::mark_forgotten`]):
    /// a person should check it.
    pub forgotten: bool,
    /// Since when its exchange has answered "not found" for it, every time it was read; cleared
    /// when the exchange knows it again (see [`Order::note_missing`]).
    pub missing_since: Option<OffsetDateTime>,
    /// Why it was rejected, or forgotten (an exchange message, never a secret).
    pub error: Option<String>,
    /// Events its changes raised, not relayed to its owner's event log yet (stored with it).
    pub outbox: Outbox,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// What a new order is, before it gets an id, a client order id and a status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrder {
    /// Owner.
    pub user_id: UserId,
    /// Context.
    pub context_id: ContextId,
    /// Exchange.
    pub exchange: ExchangeId,
    /// Market.
    pub symbol: Symbol,
    /// The bot placing it, if any.
    pub bot_id: Option<BotId>,
    /// Which strategy places it.
    pub source: StrategySource,
    /// Buy or sell.
    pub side: OrderSide,
    /// Market or limit.
    pub kind: OrderKind,
    /// Size.
    pub size: OrderSize,
    /// What was known when it was decided.
    pub creation: CreationContext,
    /// Why it is placed.
    pub reason: Option<String>,
}

/// Why an order cannot be created.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NewOrderError {
    /// The size or the limit price is zero or negative.
    #[error("order size and price must be positive")]
    NotPositive,
    /// Only market buys may be sized by a quote amount.
    #[error("only market buys may be sized by a quote amount")]
    QuoteSizeNotAllowed,
}

impl Order {
    /// A pending order with a fresh client order id, to be stored before it is sent.
    pub fn new(new: NewOrder, at: OffsetDateTime) -> Result<Self, NewOrderError> {
        let size = match new.size {
            OrderSize::Quantity(q) | OrderSize::QuoteAmount(q) => q,
        };
        let price_ok = match new.kind {
            OrderKind::Market => true,
            OrderKind::Limit { price } => price > Decimal::ZERO,
        };
        if size <= Decimal::ZERO || !price_ok {
            return Err(NewOrderError::NotPositive);
        }
        let market_buy = new.side == OrderSide::Buy && new.kind == OrderKind::Market;
        if matches!(new.size, OrderSize::QuoteAmount(_)) && !market_buy {
            return Err(NewOrderError::QuoteSizeNotAllowed);
        }
        let at = to_millis(at);
        Ok(Self {
            id: OrderId::new(),
            user_id: new.user_id,
            context_id: new.context_id,
            exchange: new.exchange,
            symbol: new.symbol,
            bot_id: new.bot_id,
            source: new.source,
            side: new.side,
            kind: new.kind,
            size: new.size,
            status: OrderStatus::Pending,
            filled_quantity: Decimal::ZERO,
            filled_quote: Decimal::ZERO,
            average_fill_price: None,
            fees: BTreeMap::new(),
            fills: Vec::new(),
            exchange_order_id: None,
            client_order_id: ClientOrderId::generate(),
            creation: new.creation,
            reason: new.reason,
            adopted: false,
            forgotten: false,
            missing_since: None,
            error: None,
            outbox: Default::default(),
            version: 0,
            created_at: at,
            updated_at: at,
        })
    }

    /// What to send to the exchange.
    pub fn request(&self) -> OrderRequest {
        OrderRequest {
            symbol: self.symbol.clone(),
            side: self.side,
            kind: self.kind,
            size: self.size,
            client_order_id: self.client_order_id.clone(),
        }
    }

    /// Base quantity still to fill, for orders sized by quantity (never negative).
    pub fn remaining_quantity(&self) -> Option<Decimal> {
        match self.size {
            OrderSize::Quantity(q) => Some((q - self.filled_quantity).max(Decimal::ZERO)),
            OrderSize::QuoteAmount(_) => None,
        }
    }

    /// Whether the exchange may still fill it (pending, new or partially filled).
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::orders::fixtures::{limit_buy, limit_buy_request, T0};

    #[test]
    fn a_new_order_is_pending_with_a_fresh_client_id() {
        let (a, b) = (limit_buy(), limit_buy());

        assert_eq!(a.status, OrderStatus::Pending);
        assert!(a.client_order_id.is_ours());
        assert_ne!(a.client_order_id, b.client_order_id);
        assert_eq!((a.filled_quantity, a.exchange_order_id.clone(), a.version), (dec!(0), None, 0));
        assert_eq!(a.request().client_order_id, a.client_order_id);
        assert_eq!(a.remaining_quantity(), Some(dec!(1)));
    }

    #[test]
    fn new_orders_refuse_non_positive_sizes_and_quote_sized_sells() {
        let base = limit_buy_request();
        let zero = NewOrder { size: OrderSize::Quantity(dec!(0)), ..base.clone() };
        let free = NewOrder { kind: OrderKind::Limit { price: dec!(-1) }, ..base.clone() };
        let quote_limit = NewOrder { size: OrderSize::QuoteAmount(dec!(50)), ..base.clone() };
        let quote_market_buy = NewOrder { kind: OrderKind::Market, ..quote_limit.clone() };

        assert_eq!(Order::new(zero, T0), Err(NewOrderError::NotPositive));
        assert_eq!(Order::new(free, T0), Err(NewOrderError::NotPositive));
        assert_eq!(Order::new(quote_limit, T0), Err(NewOrderError::QuoteSizeNotAllowed));
        assert!(Order::new(quote_market_buy, T0).is_ok());
    }
}
