//! DCA bot: buys `purchase_amount` every period, keeps each purchase as an execution, and sells
//! the whole accumulation when the price reaches its take profit or stop loss measured on the
//! weighted average price (fees included); with auto-restart a new accumulation begins.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::bot::Bot;
use super::intent::{Evaluation, MarketView, OrderIntent, Purpose};
use super::{BreakerPreset, RiskConfig};
use crate::exchange::OrderSide;
use crate::shared::bounds::{AMOUNT, CYCLES, GAIN_PERCENT, LOSS_PERCENT};
use crate::shared::field::{FieldIssue, Issues};
use crate::shared::ids::{BotId, PositionId};

/// How often a DCA bot buys.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DcaFrequency {
    /// Every hour.
    #[serde(rename = "1h")]
    Hourly,
    /// Every 6 hours.
    #[serde(rename = "6h")]
    SixHours,
    /// Every 24 hours.
    #[serde(rename = "24h")]
    Daily,
    /// Every 7 days.
    #[serde(rename = "7d")]
    Weekly,
    /// Every 30 days.
    #[serde(rename = "30d")]
    Monthly,
}

impl DcaFrequency {
    /// The period.
    pub fn period(self) -> Duration {
        match self {
            DcaFrequency::Hourly => Duration::hours(1),
            DcaFrequency::SixHours => Duration::hours(6),
            DcaFrequency::Daily => Duration::hours(24),
            DcaFrequency::Weekly => Duration::days(7),
            DcaFrequency::Monthly => Duration::days(30),
        }
    }
}

/// DCA settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcaConfig {
    /// Quote spent per purchase.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub purchase_amount: Decimal,
    /// How often.
    pub frequency: DcaFrequency,
    /// Quote capital given to the bot.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub allocated_balance: Decimal,
    /// Sell everything this % above the weighted average price.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub take_profit_percent: Decimal,
    /// Sell everything this % below the weighted average price (none: never).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,3}(\.\d{1,18})?$"))]
    pub stop_loss_percent: Option<Decimal>,
    /// Purchases per accumulation (none: until the budget runs out).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub max_cycles: Option<u32>,
    /// Start a new accumulation after a sale (otherwise the bot stops).
    #[serde(default)]
    pub auto_restart: bool,
    /// Other risk rules (trailing stop, sanity check, soft stop); take profit and stop loss are
    /// the fields above.
    #[serde(default)]
    pub risk: RiskConfig,
    /// Circuit breaker preset (default moderate).
    #[serde(default)]
    pub circuit_breaker: BreakerPreset,
}

/// What a DCA bot remembers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcaState {
    /// Accumulations completed (sold).
    pub rounds_completed: u32,
    /// Purchases in the current accumulation.
    pub cycle: u32,
    /// The next purchase.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_purchase_at: Option<OffsetDateTime>,
    /// The current accumulation.
    pub position: Option<PositionId>,
    /// Set when an accumulation was sold without auto-restart.
    pub finished: bool,
}

/// One DCA purchase, kept for `GET /api/bots/{id}/executions`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcaExecution {
    /// The bot.
    pub bot_id: BotId,
    /// Accumulation number (0 first).
    pub round: u32,
    /// Purchase number within it (1 first).
    pub cycle: u32,
    /// Quote spent, fees included.
    pub amount: Decimal,
    /// Base received, net of fees.
    pub quantity: Decimal,
    /// Average fill price.
    pub price: Decimal,
    /// Fee charged.
    pub fee: Decimal,
    /// Whether the fee was charged in the base or the quote asset (none: another asset).
    pub fee_asset: Option<super::FeeAsset>,
    /// The weighted average price of the accumulation after it.
    pub average_price: Decimal,
    /// When it filled.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl DcaConfig {
    /// Rules of its own fields.
    pub fn validate(&self) -> Result<(), Vec<FieldIssue>> {
        let mut issues = Issues::new();
        issues.bounded("purchase_amount", self.purchase_amount, AMOUNT);
        issues.check(
            self.purchase_amount <= self.allocated_balance,
            "purchase_amount",
            "must not exceed allocated_balance",
        );
        issues.bounded("take_profit_percent", self.take_profit_percent, GAIN_PERCENT);
        issues.bounded_opt("stop_loss_percent", self.stop_loss_percent, LOSS_PERCENT);
        issues.counted("max_cycles", self.max_cycles, CYCLES);
        issues.check(self.risk.take_profit_percent.is_none(), "risk.take_profit_percent", "use take_profit_percent");
        issues.check(
            self.risk.stop_loss_hard_percent.is_none(),
            "risk.stop_loss_hard_percent",
            "use stop_loss_percent",
        );
        issues.finish()
    }

    /// The risk rules with the DCA take profit and stop loss in them.
    pub fn effective_risk(&self) -> RiskConfig {
        RiskConfig {
            take_profit_percent: Some(self.take_profit_percent),
            stop_loss_hard_percent: self.stop_loss_percent,
            ..self.risk.clone()
        }
    }
}

/// The purchase rule: when due, within `max_cycles` and budget, buy `purchase_amount` worth,
/// the quantity rounded down to the step size.
pub(super) fn entries(
    bot: &mut Bot,
    config: &DcaConfig,
    view: &MarketView<'_>,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    let buying = bot.buying();
    let spendable = bot.spendable();
    let super::state::KindState::Dca(state) = &mut bot.state else { return };
    let due = state.next_purchase_at.is_some_and(|t| at >= t);
    let room = config.max_cycles.is_none_or(|max| state.cycle < max);
    if !due || !room || buying || state.finished || spendable < config.purchase_amount {
        return;
    }
    let Some(quantity) = config.purchase_amount.checked_div(view.ask).map(|q| view.filters.floor_quantity(q)) else {
        return;
    };
    if view.filters.check(quantity, view.ask, false).is_err() {
        return;
    }
    state.next_purchase_at = Some(at + config.frequency.period());
    let position = *state.position.get_or_insert_with(PositionId::new);
    // A market order sized by quantity may fill a little above the ask: block a 1% margin,
    // released when it fills.
    let block = config.purchase_amount.checked_mul(Decimal::new(101, 2)).unwrap_or(spendable).min(spendable);
    out.place.push(OrderIntent {
        side: OrderSide::Buy,
        limit_price: None,
        quantity: Some(quantity),
        quote_amount: None,
        block,
        purpose: Purpose::Open { position },
        reason: format!("dca purchase {} of round {}", state.cycle + 1, state.rounds_completed),
        indicators: Default::default(),
    });
    out.touch();
}
