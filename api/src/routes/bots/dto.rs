//! The bots API's request and response bodies. Configurations, books, positions and records are
//! shown as the domain defines them (their schemas come from the domain types).

use domain::bots::{
    Bot, BotEvent, BotRecord, BreakerLimits, CandleConfig, Capital, ChannelConfig, CircuitBreaker, DcaConfig, Funds,
    KindState, Position, SmartConfig, StatusChange, TradeResult, Trip, BREAKER_OFF_CONSEQUENCE, DAILY_WINDOW,
};
use domain::shared::ids::ContextId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::field_value::Parsed;
use crate::routes::decimal::DecimalInput;
use crate::routes::wire::{BotKind, BotStatus, Exchange, Id, TradingMode};

/// A bot's configuration: the object of its kind (see docs/bots.md for every setting and its bounds).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum BotConfigSchema {
    /// `kind: smart`.
    Smart(SmartConfig),
    /// `kind: candle`.
    Candle(CandleConfig),
    /// `kind: dca`.
    Dca(DcaConfig),
    /// `kind: channel`.
    Channel(ChannelConfig),
}

/// A new bot.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBotRequest {
    /// The trading context it runs in.
    #[schema(value_type = Id)]
    pub context_id: Parsed<ContextId>,
    /// `smart`, `candle`, `dca` or `channel`.
    #[schema(value_type = BotKind, example = "dca")]
    pub kind: Parsed<domain::bots::BotKind>,
    /// A name, 1-80 characters (surrounding spaces are trimmed, so not only spaces).
    #[validate(length(max = 200))]
    #[schema(example = "BTC weekly DCA", max_length = 80, pattern = r"\S")]
    pub name: String,
    /// The kind's settings.
    #[schema(value_type = BotConfigSchema)]
    pub config: serde_json::Value,
}

/// Changes to a bot (only while it is not running); absent fields stay.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBotRequest {
    /// New name, 1-80 characters (surrounding spaces are trimmed, so not only spaces).
    #[validate(length(max = 200))]
    #[schema(max_length = 80, pattern = r"\S")]
    pub name: Option<String>,
    /// The whole new configuration of the bot's kind.
    #[schema(value_type = Option<BotConfigSchema>)]
    pub config: Option<serde_json::Value>,
}

/// List filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BotListParams {
    /// Only bots of this context.
    #[param(value_type = Option<Id>)]
    pub context_id: Option<Parsed<ContextId>>,
    /// Only bots of this kind.
    #[param(value_type = Option<BotKind>)]
    pub kind: Option<Parsed<domain::bots::BotKind>>,
    /// Only bots in this status (`created`, `running`, `paused`, `stopped`, `tripped`).
    #[param(value_type = Option<BotStatus>)]
    pub status: Option<Parsed<domain::bots::BotStatus>>,
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// A bot.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotResponse {
    /// Id.
    pub id: String,
    /// Its context.
    pub context_id: String,
    /// The context's exchange.
    pub exchange: Exchange,
    /// The market, `BASE-QUOTE`.
    pub symbol: String,
    /// `live` or `paper`.
    pub mode: TradingMode,
    /// `smart`, `candle`, `dca` or `channel`.
    pub kind: BotKind,
    /// Name.
    pub name: String,
    /// Settings of its kind.
    #[schema(value_type = BotConfigSchema)]
    pub config: serde_json::Value,
    /// `created`, `running`, `paused`, `stopped` or `tripped`.
    pub status: BotStatus,
    /// Why it is in that status.
    pub status_reason: Option<String>,
    /// The latest status changes, oldest first.
    pub history: Vec<StatusChange>,
    /// Its books (decimal strings, quote asset unless named otherwise).
    pub funds: Funds,
    /// Its capital as the channel strategy shows it: principal, profit (a channel bot keeps it
    /// apart) and what it may spend now.
    pub capital: Capital,
    /// Circuit-breaker state.
    pub circuit_breaker: CircuitBreakerResponse,
    /// Open and scheduled positions.
    pub open_positions: usize,
    /// Orders not ended yet.
    pub pending_orders: usize,
    /// The last price it accepted.
    #[schema(value_type = Option<String>)]
    pub last_price: Option<Decimal>,
    /// Ticks refused by the sanity check.
    pub ignored_ticks: u64,
    /// Whether the soft stop loss halted buying.
    pub buying_halted: bool,
    /// Why the engine holds its entries, if it does: an anomaly of its market (spread, volume,
    /// book, trading halted). It opens nothing until the market is clear again, then resumes by
    /// itself; every exit keeps working meanwhile.
    pub entry_hold: Option<String>,
    /// Positions closed so far.
    pub trades: u64,
    /// Its kind's own state (next cycle, DCA round, …).
    pub state: KindState,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Bot> for BotResponse {
    fn from(b: Bot) -> Self {
        let config = serde_json::to_value(&b.config).ok().and_then(|mut v| v.get_mut("config").map(std::mem::take));
        let circuit_breaker = CircuitBreakerResponse::new(&b.breaker, b.funds.allocated, b.updated_at);
        let capital = b.capital();
        Self {
            id: b.id.to_string(),
            context_id: b.context_id.to_string(),
            exchange: b.exchange.into(),
            symbol: b.symbol.to_string(),
            mode: b.mode.into(),
            kind: b.kind().into(),
            name: b.name,
            config: config.unwrap_or_default(),
            status: b.status.into(),
            status_reason: b.status_reason,
            history: b.history,
            capital,
            funds: b.funds.normalized(),
            circuit_breaker,
            open_positions: b.positions.len(),
            pending_orders: b.pending.len(),
            last_price: b.last_price,
            ignored_ticks: b.ignored_ticks,
            buying_halted: b.buying_halted,
            entry_hold: b.entry_hold,
            trades: b.trades,
            state: b.state,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// The circuit breaker of a bot.
#[derive(Debug, Serialize, ToSchema)]
pub struct CircuitBreakerResponse {
    /// Whether it may trip: `false` when the configuration turned it off (`"preset": "off"`,
    /// SmartBots only); the trades are still counted.
    pub enabled: bool,
    /// While off, what that means for the bot, in words; absent while armed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequence: Option<String>,
    /// Its thresholds (an off breaker keeps the moderate ones for the record; they never trip it).
    pub limits: BreakerLimits,
    /// Losing trades in a row now.
    pub consecutive_losses: u32,
    /// Realized loss over the last 24 hours (a rolling window), quote asset.
    #[schema(value_type = String)]
    pub daily_loss: Decimal,
    /// The loss that trips it: `max_daily_loss_percent` of the allocated capital.
    #[schema(value_type = String)]
    pub daily_loss_limit: Decimal,
    /// `rolling_24h`.
    pub daily_window: String,
    /// Set while tripped: when and why.
    pub tripped: Option<Trip>,
    /// The trades of the window.
    pub recent_trades: Vec<TradeResult>,
}

impl CircuitBreakerResponse {
    /// The breaker as of `now`.
    pub fn new(b: &CircuitBreaker, allocated: Decimal, now: OffsetDateTime) -> Self {
        Self {
            enabled: b.enabled,
            consequence: (!b.enabled).then(|| BREAKER_OFF_CONSEQUENCE.to_owned()),
            limits: b.limits,
            consecutive_losses: b.consecutive_losses,
            daily_loss: b.daily_loss(now),
            // Only a bot stored before the bounds existed can hold a limit beyond a Decimal.
            daily_loss_limit: b.limits.daily_loss_limit(allocated).unwrap_or(Decimal::MAX),
            daily_window: format!("rolling_{}h", DAILY_WINDOW.whole_hours()),
            tripped: b.tripped.clone(),
            recent_trades: b.recent.clone(),
        }
    }
}

/// A position and its entry price.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionResponse {
    /// The position.
    #[serde(flatten)]
    pub position: Position,
    /// Average entry price, fees included, while it holds something.
    #[schema(value_type = Option<String>)]
    pub entry_price: Option<Decimal>,
}

/// A bot's positions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionsResponse {
    /// Open and scheduled positions (current state: all of them, whatever the window).
    pub open: Vec<PositionResponse>,
    /// Closed positions inside the history window, newest first (paged).
    pub closed: crate::routes::page::Page<PositionResponse>,
    /// The history window the list was cut to (the plan's).
    pub history_window: crate::routes::common::HistoryWindowResponse,
}

/// One recorded event of a bot (a signal, a DCA execution, …).
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordResponse {
    /// Record id.
    pub id: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// The event, tagged by `event`.
    #[serde(flatten)]
    pub event: BotEvent,
}

impl From<BotRecord> for RecordResponse {
    fn from(r: BotRecord) -> Self {
        Self { id: r.id, at: r.at, event: r.event }
    }
}

/// Scheduling a channel position's sale.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSellRequest {
    /// Minimum profit over entry + fees, %, 0 to 10000 (default: the bot's `min_profit_percent`).
    #[schema(value_type = Option<String>, example = "0.5", pattern = r"^(?:[0-9]{1,4}(?:\.[0-9]{1,18})?|10000(?:\.0{1,18})?)$")]
    pub min_profit_percent: Option<DecimalInput>,
}
