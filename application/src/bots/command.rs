//! Use case: its owner's buy or sell through a bot (`POST /api/bots/{id}/buy|sell`). The
//! request is parsed as a manual order is (each bad field named; quote amounts size market buys
//! only); a buy also passes the checks of a resume (terms, subscription, plan, active context).
//! The engine then runs it under the bot's lease: the bot's own rules turn it into an intent
//! ([`domain::bots::Bot::manual_intent`]), the market's filters check it, and the placement
//! protocol places it, so the buy becomes a position and the sale closes what it sells. An
//! `Idempotency-Key` makes a retry answer the order the first request placed.

use domain::bots::{Bot, ManualOrder, ManualRefused};
use domain::exchange::{ClientOrderId, OrderKind, OrderSide, OrderSize, OrderType};
use domain::orders::Order;
use domain::shared::bounds::PRICE;
use domain::shared::ids::{BotId, PositionId, UserId};
use rust_decimal::Decimal;

use super::{BotService, BotServiceError};
use crate::orders::{client_order_id_for, OrderRequest};
use crate::FieldError;

/// A buy or sell command as the client sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotCommandInput {
    /// Market or limit.
    pub order_type: OrderType,
    /// Base quantity.
    pub quantity: Option<Decimal>,
    /// Quote amount to spend (market buys only), instead of a quantity.
    pub quote_amount: Option<Decimal>,
    /// Limit price (limit orders only).
    pub price: Option<Decimal>,
    /// The position sold (sales only; without a quantity, all of it).
    pub position_id: Option<PositionId>,
    /// The client's `Idempotency-Key`, if any.
    pub idempotency_key: Option<String>,
}

/// A command for the engine: the order and the client order id an idempotency key gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotCommand {
    /// What the owner commands.
    pub order: ManualOrder,
    /// The client order id derived from the `Idempotency-Key`, if any.
    pub client_order_id: Option<ClientOrderId>,
}

/// What a command did: the order as stored and the bot after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commanded {
    /// The bot as stored after the order.
    pub bot: Bot,
    /// The order: filled, resting, rejected with the exchange's reason, or pending (lost answer).
    pub order: Order,
    /// `true` when an earlier request with the same `Idempotency-Key` placed it.
    pub replayed: bool,
}

impl BotCommandInput {
    /// The command for `side`; every bad field named. Errors: `Invalid`, `InvalidIdempotencyKey`.
    fn parse(&self, owner: UserId, side: OrderSide) -> Result<BotCommand, BotServiceError> {
        let request = OrderRequest {
            side,
            order_type: self.order_type,
            quantity: self.quantity,
            quote_amount: self.quote_amount,
            price: self.price,
            idempotency_key: self.idempotency_key.clone(),
        };
        let client_order_id = request.key()?.map(|key| client_order_id_for(owner, key));
        let position = match (side, self.position_id) {
            (OrderSide::Buy, Some(_)) => {
                return Err(field("position_id", crate::FieldCode::NotAllowed, "a buy opens a new position".into()))
            }
            (_, position) => position,
        };
        let sized = self.quantity.is_some() || self.quote_amount.is_some();
        let (kind, size) = if sized || position.is_none() {
            let shape = request.shape()?;
            (shape.kind, Some(shape.size))
        } else {
            // The sale of a whole position: the bot sizes it from its books.
            let mut errors = Vec::new();
            if let Some(Err(message)) = self.price.map(|p| PRICE.check(p)) {
                errors.push(FieldError::new("price", crate::FieldCode::Invalid, message));
            }
            match request.kind(&mut errors) {
                Some(kind) if errors.is_empty() => (kind, None),
                _ => return Err(BotServiceError::Invalid(errors)),
            }
        };
        let limit_price = match kind {
            OrderKind::Limit { price } => Some(price),
            OrderKind::Market => None,
        };
        Ok(BotCommand { order: ManualOrder { side, limit_price, size, position }, client_order_id })
    }
}

impl BotService {
    /// Buys through a SmartBot now. Errors: `InvalidIdempotencyKey`; `NotFound`; `Consent`;
    /// `Access`; `Manual` (the bot's state refuses it); `ContextPaused`; `Busy`; `Order` (the
    /// market is closed, the key placed another order); `Invalid` naming each bad field
    /// (`insufficient_bot_funds`, the market's filters); the exchange's failures.
    pub async fn buy(&self, owner: UserId, id: BotId, input: BotCommandInput) -> Result<Commanded, BotServiceError> {
        let command = input.parse(owner, OrderSide::Buy)?;
        let bot = self.get(owner, id).await?;
        self.ports.legal.require_current(owner).await?;
        self.check_entitlements(owner, &bot).await?;
        Ok(self.ports.executor.command(bot, command).await?)
    }

    /// Sells through a SmartBot now (running, paused or tripped): a position, part of it, or a
    /// quantity of everything it holds at market. Errors: `InvalidIdempotencyKey`; `NotFound`;
    /// `Manual` (the bot's state refuses it); `Busy`; `Order`; `Invalid` naming each bad field
    /// (`insufficient_holdings`, `position_not_found`, the market's filters); the exchange's
    /// failures.
    pub async fn sell(&self, owner: UserId, id: BotId, input: BotCommandInput) -> Result<Commanded, BotServiceError> {
        let command = input.parse(owner, OrderSide::Sell)?;
        let bot = self.get(owner, id).await?;
        Ok(self.ports.executor.command(bot, command).await?)
    }
}

fn field(name: &str, code: crate::FieldCode, detail: String) -> BotServiceError {
    BotServiceError::Invalid(vec![FieldError::new(name, code, detail)])
}

/// A bot's refusal of `order`: a refusal of the request's fields is `Invalid`, naming the field
/// (a limit price above `max_entry_price`, a size beyond the bot's funds or holdings, a position
/// it does not hold); any other is `Manual`, the bot's state.
pub fn manual_refused(err: ManualRefused, order: &ManualOrder) -> BotServiceError {
    let size_field = match order.size {
        Some(OrderSize::QuoteAmount(_)) => "quote_amount",
        _ => "quantity",
    };
    let detail = err.to_string();
    match err {
        ManualRefused::AboveMaxEntryPrice { .. } if order.limit_price.is_some() => {
            field("price", crate::FieldCode::AboveMaxEntryPrice, detail)
        }
        ManualRefused::InsufficientFunds { .. } => field(size_field, crate::FieldCode::InsufficientBotFunds, detail),
        ManualRefused::InsufficientHoldings { .. } => field("quantity", crate::FieldCode::InsufficientHoldings, detail),
        ManualRefused::NoPosition(_) => field("position_id", crate::FieldCode::PositionNotFound, detail),
        ManualRefused::LimitSaleNeedsPosition => field("position_id", crate::FieldCode::Required, detail),
        ManualRefused::TooLarge | ManualRefused::Size(_) => field(size_field, crate::FieldCode::Invalid, detail),
        state => BotServiceError::Manual(state),
    }
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
