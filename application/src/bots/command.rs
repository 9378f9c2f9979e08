//! Use case: its owner's buy or sell through a bot (`POST /api/bots/{id}/buy|sell`). The
//! request is parsed as a manual order is (each bad field named; quote amounts size market buys
//! only); a buy also passes the checks of a resume (terms, subscription, plan, active context).
//! The engine then runs it under the bot's lease: the bot's own rules turn it into an intent
//! ([`domain::bots::Bot::manual_intent`]), the market's filters check it, and the placement
//! protocol places it, so the buy becomes a position and the sale closes what it sells. An
//! `Idempotency-Key` makes a retry answer the order the first request placed.

use domain::bots::{Bot, ManualOrder, ManualRefused};
use domain::exchange::{ClientOrderId, OrderKind, OrderSide, OrderSize};
use domain::orders::Order;
use domain::shared::bounds::PRICE;
use domain::shared::ids::{PositionId, UserId};
use rust_decimal::Decimal;

use super::BotService;
use crate::orders::{client_order_id_for, CreateOrderInput};
use crate::{AppError, FieldError};

/// A buy or sell command as the client sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BotCommandInput {
    /// `market` or `limit`.
    pub order_type: String,
    /// Base quantity.
    pub quantity: Option<Decimal>,
    /// Quote amount to spend (market buys only), instead of a quantity.
    pub quote_amount: Option<Decimal>,
    /// Limit price (limit orders only).
    pub price: Option<Decimal>,
    /// The position sold (sales only; without a quantity, all of it).
    pub position_id: Option<String>,
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
    /// The command for `side`; every bad field named. Errors: `Validation`, 400 `invalid_idempotency_key`.
    fn parse(&self, owner: UserId, side: OrderSide) -> Result<BotCommand, AppError> {
        let request = CreateOrderInput {
            context_id: String::new(),
            side: if side == OrderSide::Buy { "buy" } else { "sell" }.to_owned(),
            order_type: self.order_type.clone(),
            quantity: self.quantity,
            quote_amount: self.quote_amount,
            price: self.price,
            idempotency_key: self.idempotency_key.clone(),
        };
        let client_order_id = request.key()?.map(|key| client_order_id_for(owner, key));
        let position = match (side, self.position_id.as_deref()) {
            (_, None) => None,
            (OrderSide::Buy, Some(_)) => {
                return Err(AppError::field("position_id", crate::FieldCode::NotAllowed, "a buy opens a new position"))
            }
            (OrderSide::Sell, Some(raw)) => Some(PositionId::parse(raw).ok_or_else(|| {
                AppError::field("position_id", crate::FieldCode::Invalid, format!("`{raw}` is not a position id"))
            })?),
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
                _ => return Err(AppError::Validation(errors)),
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
    /// Buys through a SmartBot now. Errors: 400 `invalid_idempotency_key`; 404 bot; 403
    /// `subscription_inactive`, `terms_not_accepted`; 402 `plan_*`; 409 `not_for_kind`,
    /// `invalid_bot_status`, `bot_tripped`, `buying_halted`, `price_not_sane`, `max_open_positions`,
    /// `above_max_entry_price`, `context_paused`, `market_closed`, `bot_busy`,
    /// `idempotency_key_reused`; 422 naming each bad field (`insufficient_bot_funds`, the
    /// market's filters); 503 when the exchange cannot be reached.
    pub async fn buy(&self, owner: UserId, id: &str, input: BotCommandInput) -> Result<Commanded, AppError> {
        let command = input.parse(owner, OrderSide::Buy)?;
        let bot = self.get(owner, id).await?;
        self.ports.legal.require_current(owner).await?;
        self.check_entitlements(owner, &bot).await?;
        self.ports.executor.command(bot, command).await
    }

    /// Sells through a SmartBot now (running, paused or tripped): a position, part of it, or a
    /// quantity of everything it holds at market. Errors: 400 `invalid_idempotency_key`; 404
    /// bot; 409 `not_for_kind`, `invalid_bot_status`, `position_selling`, `position_dust`,
    /// `market_closed`, `bot_busy`, `idempotency_key_reused`; 422 naming each bad field
    /// (`insufficient_holdings`, `position_not_found`, the market's filters); 503.
    pub async fn sell(&self, owner: UserId, id: &str, input: BotCommandInput) -> Result<Commanded, AppError> {
        let command = input.parse(owner, OrderSide::Sell)?;
        let bot = self.get(owner, id).await?;
        self.ports.executor.command(bot, command).await
    }
}

/// A bot's refusal of `order` as the API answers it: the bot's state is a 409, the request's
/// fields a 422 naming the field.
pub fn manual_refused(err: ManualRefused, order: &ManualOrder) -> AppError {
    let size_field = match order.size {
        Some(OrderSize::QuoteAmount(_)) => "quote_amount",
        _ => "quantity",
    };
    let detail = err.to_string();
    let conflict = |code| AppError::Conflict { code, detail: detail.clone() };
    match err {
        ManualRefused::NotForKind(_) => conflict("not_for_kind"),
        ManualRefused::Status { status: "tripped", .. } => conflict("bot_tripped"),
        ManualRefused::Status { .. } => conflict("invalid_bot_status"),
        ManualRefused::BuyingHalted => conflict("buying_halted"),
        ManualRefused::EntriesHeld(_) => conflict("entries_held"),
        ManualRefused::InsanePrice { .. } => conflict("price_not_sane"),
        ManualRefused::MaxOpenPositions(_) => conflict("max_open_positions"),
        ManualRefused::AboveMaxEntryPrice { .. } if order.limit_price.is_some() => {
            AppError::field("price", crate::FieldCode::AboveMaxEntryPrice, detail)
        }
        ManualRefused::AboveMaxEntryPrice { .. } => conflict("above_max_entry_price"),
        ManualRefused::PositionSelling(_) => conflict("position_selling"),
        ManualRefused::Dust { .. } => conflict("position_dust"),
        ManualRefused::InsufficientFunds { .. } => {
            AppError::field(size_field, crate::FieldCode::InsufficientBotFunds, detail)
        }
        ManualRefused::InsufficientHoldings { .. } => {
            AppError::field("quantity", crate::FieldCode::InsufficientHoldings, detail)
        }
        ManualRefused::NoPosition(_) => AppError::field("position_id", crate::FieldCode::PositionNotFound, detail),
        ManualRefused::LimitSaleNeedsPosition => AppError::field("position_id", crate::FieldCode::Required, detail),
        ManualRefused::TooLarge | ManualRefused::Size(_) => {
            AppError::field(size_field, crate::FieldCode::Invalid, detail)
        }
    }
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
