//! SmartBot: buys a fixed quote amount per cycle (every N seconds, on a cron schedule, or never
//! by itself in manual mode) while its budget lasts, and sells each lot by its risk rules.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::bot::Bot;
use super::config_tagged::tagged_deserialize;
use super::intent::{Evaluation, MarketView, OrderIntent, Purpose};
use super::schedule::CronSchedule;
use super::{BreakerPreset, RiskConfig};
use crate::exchange::OrderSide;
use crate::shared::bounds::{AMOUNT, INTERVAL_SECONDS, OPEN_POSITIONS, PRICE};
use crate::shared::field::{FieldIssue, Issues};
use crate::shared::ids::PositionId;

/// When a SmartBot buys.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum SmartMode {
    /// A buy cycle every `interval_seconds` (at least 1; the smart_bot_purchase workflow's own
    /// interval, 63 s by default, is the finest grain in practice).
    Continuous {
        /// Seconds between buy cycles.
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 31622400))]
        interval_seconds: u32,
    },
    /// A buy cycle at each time of a cron schedule.
    Scheduled(CronSchedule),
    /// Buys only on API commands; its risk rules still sell.
    Manual,
}

tagged_deserialize!(SmartMode, tag = "type", {
    "continuous" => Continuous { interval_seconds: u32 },
    "scheduled" => Scheduled(CronSchedule),
    "manual" => Manual,
});

/// Market or limit buys.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryOrderType {
    /// Market buys of `purchase_amount` quote.
    #[default]
    Market,
    /// Limit buys at the best bid (auto-cancel removes those the price left behind).
    Limit,
}

/// SmartBot settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmartConfig {
    /// When it buys.
    pub mode: SmartMode,
    /// Quote spent per buy cycle.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub purchase_amount: Decimal,
    /// Quote capital given to the bot.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub allocated_balance: Decimal,
    /// Never buy above this price.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub max_entry_price: Option<Decimal>,
    /// At most this many lots held at once (none: no limit).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub max_open_positions: Option<u32>,
    /// Market (default) or limit buys.
    #[serde(default)]
    pub order_type: EntryOrderType,
    /// Risk rules.
    #[serde(default)]
    pub risk: RiskConfig,
    /// Circuit breaker preset (default moderate).
    #[serde(default)]
    pub circuit_breaker: BreakerPreset,
}

/// What a SmartBot remembers between cycles.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmartState {
    /// The next buy cycle.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_cycle_at: Option<OffsetDateTime>,
}

impl SmartConfig {
    /// Rules of its own fields.
    pub fn validate(&self) -> Result<(), Vec<FieldIssue>> {
        let mut issues = Issues::new();
        issues.bounded("purchase_amount", self.purchase_amount, AMOUNT);
        issues.check(
            self.purchase_amount <= self.allocated_balance,
            "purchase_amount",
            "must not exceed allocated_balance",
        );
        issues.bounded_opt("max_entry_price", self.max_entry_price, PRICE);
        issues.counted("max_open_positions", self.max_open_positions, OPEN_POSITIONS);
        match &self.mode {
            SmartMode::Continuous { interval_seconds } => {
                issues.counted("mode.interval_seconds", Some(*interval_seconds), INTERVAL_SECONDS)
            }
            SmartMode::Scheduled(s) => {
                if let Err((field, message)) = s.validate() {
                    issues.push(FieldIssue::new(format!("mode.{field}"), message));
                }
            }
            SmartMode::Manual => {}
        }
        issues.finish()
    }

    /// The first cycle after a start at `at`.
    pub fn first_cycle(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        match &self.mode {
            SmartMode::Continuous { .. } => Some(at),
            SmartMode::Scheduled(s) => s.next_after(at),
            SmartMode::Manual => None,
        }
    }

    /// The cycle after one at `at`.
    pub fn next_cycle(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        match &self.mode {
            SmartMode::Continuous { interval_seconds } => Some(at + Duration::seconds(i64::from(*interval_seconds))),
            SmartMode::Scheduled(s) => s.next_after(at),
            SmartMode::Manual => None,
        }
    }
}

/// The buy rule of a SmartBot, at or after its cycle time.
pub(super) fn entries(
    bot: &mut Bot,
    config: &SmartConfig,
    view: &MarketView<'_>,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    let super::state::KindState::Smart(state) = &mut bot.state else { return };
    let Some(due) = state.next_cycle_at else { return };
    if at < due {
        return;
    }
    // A cycle is spent whether or not it buys: a skipped cycle is not caught up later.
    state.next_cycle_at = config.next_cycle(at);
    out.touch();
    let held = bot.positions.iter().filter(|p| p.is_held()).count() as u32;
    let blocked = bot.buying_halted
        || bot.buying()
        || config.max_open_positions.is_some_and(|max| held >= max)
        || config.max_entry_price.is_some_and(|max| view.ask > max)
        || bot.spendable() < config.purchase_amount;
    if blocked {
        return;
    }
    let intent = match config.order_type {
        EntryOrderType::Market => {
            let Some(quantity) = config.purchase_amount.checked_div(view.ask) else { return };
            let quantity = view.filters.floor_quantity(quantity);
            if view.filters.check(quantity, view.ask, false).is_err() {
                return;
            }
            OrderIntent {
                side: OrderSide::Buy,
                limit_price: None,
                quantity: None,
                quote_amount: Some(config.purchase_amount),
                block: config.purchase_amount,
                purpose: Purpose::Open { position: PositionId::new() },
                reason: "smart bot buy cycle".to_owned(),
                indicators: Default::default(),
            }
        }
        EntryOrderType::Limit => {
            let price = view.filters.round_buy_price(view.bid);
            let Some(quantity) = config.purchase_amount.checked_div(price) else { return };
            let quantity = view.filters.floor_quantity(quantity);
            let Some(block) = quantity.checked_mul(price) else { return };
            if view.filters.check(quantity, price, true).is_err() {
                return;
            }
            OrderIntent {
                side: OrderSide::Buy,
                limit_price: Some(price),
                quantity: Some(quantity),
                quote_amount: None,
                block,
                purpose: Purpose::Open { position: PositionId::new() },
                reason: "smart bot buy cycle (limit at the bid)".to_owned(),
                indicators: Default::default(),
            }
        }
    };
    out.place.push(intent);
}
