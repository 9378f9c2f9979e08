//! The payload of each event type: what a notification says and what a webhook receives under
//! `data`. Money is a decimal string in the market's quote currency; ids are ULIDs.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::types::EventType;
use crate::bots::{BotStatus, ExitReason};
use crate::contexts::ContextMode;
use crate::exchange::ExchangeId;
use crate::market::Symbol;
use crate::shared::ids::{BotId, ContextId, CredentialId, OrderId, PositionId};

/// Which bot an event is about.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotRef {
    /// The bot.
    pub bot_id: BotId,
    /// Its owner's name for it.
    pub bot_name: String,
    /// Its trading context.
    pub context_id: ContextId,
    /// Its exchange.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "mercado_bitcoin"))]
    pub exchange: ExchangeId,
    /// Its market.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BTC-BRL"))]
    pub symbol: Symbol,
    /// Live or paper.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "paper"))]
    pub mode: ContextMode,
}

/// A bot's status changed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotStatusData {
    /// The bot.
    #[serde(flatten)]
    pub bot: BotRef,
    /// Its status before.
    pub from: BotStatus,
    /// Its status now.
    pub to: BotStatus,
    /// Why (a command, the breaker's trip, a plan downgrade, funds withdrawn...).
    pub reason: String,
}

/// A bot's soft stop loss halted its buying.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoftStopData {
    /// The bot.
    #[serde(flatten)]
    pub bot: BotRef,
    /// What tripped it, in words.
    pub reason: String,
}

/// A position was closed (by any exit, or by a take profit, stop loss or trailing stop).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionData {
    /// The bot.
    #[serde(flatten)]
    pub bot: BotRef,
    /// The position.
    pub position_id: PositionId,
    /// Why it was sold.
    pub exit_reason: ExitReason,
    /// Base quantity sold.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quantity: Decimal,
    /// What it cost, fees included (quote).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub entry_cost: Decimal,
    /// What the sale brought, fees deducted (quote).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub proceeds: Decimal,
    /// `proceeds - entry_cost` (quote): negative for a loss.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub realized_pnl: Decimal,
    /// The average sale price.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub exit_price: Option<Decimal>,
}

/// An order changed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderData {
    /// The order.
    pub order_id: OrderId,
    /// The bot that placed it; `null` for a manual or adopted order.
    pub bot_id: Option<BotId>,
    /// Its trading context.
    pub context_id: ContextId,
    /// Its exchange.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "binance"))]
    pub exchange: ExchangeId,
    /// Its market.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BTC-USDT"))]
    pub symbol: Symbol,
    /// `buy` or `sell`.
    pub side: String,
    /// Its status now (`new`, `partially_filled`, `filled`, `canceled`, `rejected`, `expired`).
    pub status: String,
    /// Base quantity filled so far.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub filled_quantity: Decimal,
    /// Quote amount filled so far.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub filled_quote: Decimal,
    /// The average fill price, once anything filled.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub average_price: Option<Decimal>,
    /// The exchange's message for a rejection.
    pub error: Option<String>,
}

/// Funds a bot counted on were withdrawn outside botfleet.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundsWithdrawnData {
    /// The bot, when one bot is concerned.
    pub bot: Option<BotRef>,
    /// The asset (`BTC`, `BRL`).
    pub asset: String,
    /// What botfleet counted on.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub expected: Decimal,
    /// What the exchange holds.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub available: Decimal,
}

/// An action was refused by the plan's limits.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLimitData {
    /// The plan (`free`, `pro`, `max`).
    pub plan: String,
    /// The limit (`bots`, `contexts`, `credentials`, a feature's name).
    pub limit: String,
    /// The plan's allowance, when it is a count.
    pub max: Option<u64>,
    /// The plan that lifts it, if any.
    pub upgrade_to: Option<String>,
}

/// A subscription changed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionData {
    /// The plan.
    pub plan: String,
    /// Its status now (`active`, `past_due`, `canceled`...).
    pub status: String,
    /// Who collects it (`stripe`, `mercado_pago`).
    pub provider: Option<String>,
    /// The end of the paid period, if known.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub period_end: Option<OffsetDateTime>,
}

/// A payment went through, failed, or went back (refunded).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentData {
    /// Who collected it.
    pub provider: String,
    /// The plan paid for.
    pub plan: String,
    /// The amount, when the provider said.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub amount: Option<Decimal>,
    /// Its currency (`BRL`).
    pub currency: Option<String>,
    /// Why it failed, in the provider's words; why it was refunded, when botfleet refunded it.
    pub reason: Option<String>,
}

/// A stored exchange credential stopped validating.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialData {
    /// The credential.
    pub credential_id: CredentialId,
    /// Its exchange.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub exchange: ExchangeId,
    /// Why, never a secret.
    pub reason: String,
}

/// An anomaly on a market the user trades.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnomalyData {
    /// The exchange.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub exchange: ExchangeId,
    /// The market.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub symbol: Symbol,
    /// What was seen.
    pub description: String,
}

/// An outbound webhook endpoint was disabled.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDisabledData {
    /// The endpoint's id.
    pub endpoint_id: String,
    /// Its URL.
    pub url: String,
    /// Why.
    pub reason: String,
}

/// What happened, with its data: `{"type": "...", "data": {...}}` on the wire.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventPayload {
    /// `bot.started`.
    #[serde(rename = "bot.started")]
    BotStarted(BotStatusData),
    /// `bot.resumed`.
    #[serde(rename = "bot.resumed")]
    BotResumed(BotStatusData),
    /// `bot.paused`.
    #[serde(rename = "bot.paused")]
    BotPaused(BotStatusData),
    /// `bot.stopped`.
    #[serde(rename = "bot.stopped")]
    BotStopped(BotStatusData),
    /// `bot.tripped`.
    #[serde(rename = "bot.tripped")]
    BotTripped(BotStatusData),
    /// `bot.soft_stop_hit`.
    #[serde(rename = "bot.soft_stop_hit")]
    SoftStopHit(SoftStopData),
    /// `take_profit.executed`.
    #[serde(rename = "take_profit.executed")]
    TakeProfitExecuted(PositionData),
    /// `stop_loss.executed`.
    #[serde(rename = "stop_loss.executed")]
    StopLossExecuted(PositionData),
    /// `trailing_stop.executed`.
    #[serde(rename = "trailing_stop.executed")]
    TrailingStopExecuted(PositionData),
    /// `order.placed`.
    #[serde(rename = "order.placed")]
    OrderPlaced(OrderData),
    /// `order.filled`.
    #[serde(rename = "order.filled")]
    OrderFilled(OrderData),
    /// `order.partially_filled`.
    #[serde(rename = "order.partially_filled")]
    OrderPartiallyFilled(OrderData),
    /// `order.canceled`.
    #[serde(rename = "order.canceled")]
    OrderCanceled(OrderData),
    /// `order.rejected`.
    #[serde(rename = "order.rejected")]
    OrderRejected(OrderData),
    /// `position.closed`.
    #[serde(rename = "position.closed")]
    PositionClosed(PositionData),
    /// `funds.withdrawn`.
    #[serde(rename = "funds.withdrawn")]
    FundsWithdrawn(FundsWithdrawnData),
    /// `plan.limit_reached`.
    #[serde(rename = "plan.limit_reached")]
    PlanLimitReached(PlanLimitData),
    /// `subscription.activated`.
    #[serde(rename = "subscription.activated")]
    SubscriptionActivated(SubscriptionData),
    /// `subscription.renewed`.
    #[serde(rename = "subscription.renewed")]
    SubscriptionRenewed(SubscriptionData),
    /// `subscription.past_due`.
    #[serde(rename = "subscription.past_due")]
    SubscriptionPastDue(SubscriptionData),
    /// `subscription.canceled`.
    #[serde(rename = "subscription.canceled")]
    SubscriptionCanceled(SubscriptionData),
    /// `subscription.period_ending`.
    #[serde(rename = "subscription.period_ending")]
    SubscriptionPeriodEnding(SubscriptionData),
    /// `payment.succeeded`.
    #[serde(rename = "payment.succeeded")]
    PaymentSucceeded(PaymentData),
    /// `payment.failed`.
    #[serde(rename = "payment.failed")]
    PaymentFailed(PaymentData),
    /// `payment.refunded`: `amount` is what went back of that payment so far.
    #[serde(rename = "payment.refunded")]
    PaymentRefunded(PaymentData),
    /// `credential.invalid`.
    #[serde(rename = "credential.invalid")]
    CredentialInvalid(CredentialData),
    /// `market.anomaly`.
    #[serde(rename = "market.anomaly")]
    MarketAnomaly(AnomalyData),
    /// `webhook.endpoint_disabled`.
    #[serde(rename = "webhook.endpoint_disabled")]
    WebhookEndpointDisabled(WebhookDisabledData),
}

impl EventPayload {
    /// Its type.
    pub fn event_type(&self) -> EventType {
        use EventPayload as P;
        match self {
            P::BotStarted(_) => EventType::BotStarted,
            P::BotResumed(_) => EventType::BotResumed,
            P::BotPaused(_) => EventType::BotPaused,
            P::BotStopped(_) => EventType::BotStopped,
            P::BotTripped(_) => EventType::BotTripped,
            P::SoftStopHit(_) => EventType::SoftStopHit,
            P::TakeProfitExecuted(_) => EventType::TakeProfitExecuted,
            P::StopLossExecuted(_) => EventType::StopLossExecuted,
            P::TrailingStopExecuted(_) => EventType::TrailingStopExecuted,
            P::OrderPlaced(_) => EventType::OrderPlaced,
            P::OrderFilled(_) => EventType::OrderFilled,
            P::OrderPartiallyFilled(_) => EventType::OrderPartiallyFilled,
            P::OrderCanceled(_) => EventType::OrderCanceled,
            P::OrderRejected(_) => EventType::OrderRejected,
            P::PositionClosed(_) => EventType::PositionClosed,
            P::FundsWithdrawn(_) => EventType::FundsWithdrawn,
            P::PlanLimitReached(_) => EventType::PlanLimitReached,
            P::SubscriptionActivated(_) => EventType::SubscriptionActivated,
            P::SubscriptionRenewed(_) => EventType::SubscriptionRenewed,
            P::SubscriptionPastDue(_) => EventType::SubscriptionPastDue,
            P::SubscriptionCanceled(_) => EventType::SubscriptionCanceled,
            P::SubscriptionPeriodEnding(_) => EventType::SubscriptionPeriodEnding,
            P::PaymentSucceeded(_) => EventType::PaymentSucceeded,
            P::PaymentFailed(_) => EventType::PaymentFailed,
            P::PaymentRefunded(_) => EventType::PaymentRefunded,
            P::CredentialInvalid(_) => EventType::CredentialInvalid,
            P::MarketAnomaly(_) => EventType::MarketAnomaly,
            P::WebhookEndpointDisabled(_) => EventType::WebhookEndpointDisabled,
        }
    }
}
