//! Channel bot (from the channel strategy document): between a base price and a top price, it
//! buys when the price breaks `buy_threshold_percent` above the base, with `capital_percent` of
//! its capital per operation, and schedules the sale when the price falls `sell_threshold_percent`
//! from its peak after reaching the top. A sale is a limit order at or above the position's
//! minimum exit price (entry + fees + minimum profit): it never sells at a loss. Profits are kept
//! apart and never reinvested.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::bot::{Bot, BotError};
use super::intent::{BotEvent, Evaluation, MarketView, OrderIntent, Purpose};
use super::position::{ExitReason, Position, PositionStatus};
use super::{BreakerPreset, RiskConfig};
use crate::exchange::OrderSide;
use crate::shared::field::{FieldIssue, Issues};
use crate::shared::ids::PositionId;

fn default_fee() -> Decimal {
    Decimal::new(7, 1)
}

fn one() -> u32 {
    1
}

/// Channel settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// The channel's floor.
    pub base_price: Decimal,
    /// The channel's top.
    pub top_price: Decimal,
    /// Buy when the price rises this % above the base.
    pub buy_threshold_percent: Decimal,
    /// Schedule the sale when the price falls this % from its peak (once the peak reached the top).
    pub sell_threshold_percent: Decimal,
    /// Never sell below entry price + fees + this %.
    pub min_profit_percent: Decimal,
    /// The share of the capital each operation uses, %.
    pub capital_percent: Decimal,
    /// Quote capital given to the bot.
    pub allocated_balance: Decimal,
    /// The exchange's fee on a sale, %, counted in the minimum exit price (default 0.7, the
    /// highest taker fee of the supported exchanges; overstating it only raises the floor).
    #[serde(default = "default_fee")]
    pub sell_fee_percent: Decimal,
    /// Positions held at once (default 1).
    #[serde(default = "one")]
    pub max_open_positions: u32,
    /// Risk rules: only the sanity check and auto-cancel apply (a channel bot never sells at a loss).
    #[serde(default)]
    pub risk: RiskConfig,
    /// Circuit breaker preset (default moderate).
    #[serde(default)]
    pub circuit_breaker: BreakerPreset,
}

/// What a channel bot remembers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelState {
    /// The price at the previous evaluation (a buy needs the price to cross the trigger). Stored
    /// when it moves to the other side of the trigger; in between the stored one may be older.
    pub previous_price: Option<Decimal>,
}

fn pct(p: Decimal) -> Decimal {
    p / Decimal::ONE_HUNDRED
}

impl ChannelConfig {
    /// Rules of its own fields.
    pub fn validate(&self) -> Result<(), Vec<FieldIssue>> {
        let mut issues = Issues::new();
        let in_range = |v: Decimal| v > Decimal::ZERO && v <= Decimal::ONE_HUNDRED;
        issues.check(self.base_price > Decimal::ZERO, "base_price", "must be above 0");
        issues.check(self.top_price > self.base_price, "top_price", "must be above base_price");
        issues.check(self.buy_threshold_percent > Decimal::ZERO, "buy_threshold_percent", "must be above 0");
        issues.check(
            self.sell_threshold_percent > Decimal::ZERO && self.sell_threshold_percent < Decimal::ONE_HUNDRED,
            "sell_threshold_percent",
            "must be above 0 and below 100",
        );
        issues.check(self.min_profit_percent >= Decimal::ZERO, "min_profit_percent", "must be at least 0");
        issues.check(in_range(self.capital_percent), "capital_percent", "must be above 0 and at most 100");
        issues.check(
            self.sell_fee_percent >= Decimal::ZERO && self.sell_fee_percent < Decimal::from(10),
            "sell_fee_percent",
            "must be at least 0 and below 10",
        );
        issues.check(self.max_open_positions >= 1, "max_open_positions", "must be at least 1");
        let sells = self.risk.take_profit_percent.is_some()
            || self.risk.stop_loss_hard_percent.is_some()
            || self.risk.stop_loss_soft_percent.is_some()
            || self.risk.trailing_stop.is_some()
            || self.risk.adaptive_sell.is_some();
        issues.check(!sells, "risk", "a channel bot sells only by its channel rules: only sanity_max_move_percent and auto_cancel_distance_percent apply");
        issues.finish()
    }

    /// The price that triggers a buy.
    pub fn buy_trigger(&self) -> Decimal {
        self.base_price * (Decimal::ONE + pct(self.buy_threshold_percent))
    }

    /// The quote each operation uses.
    pub fn operation_amount(&self, allocated: Decimal) -> Decimal {
        allocated * pct(self.capital_percent)
    }

    /// The lowest price a position bought at `entry` (fees included) may be sold at for
    /// `min_profit_percent`: entry x (1 + min profit) / (1 - sell fee).
    pub fn min_exit_price(&self, entry: Decimal, min_profit_percent: Decimal) -> Decimal {
        (entry * (Decimal::ONE + pct(min_profit_percent)) / (Decimal::ONE - pct(self.sell_fee_percent))).round_dp(12)
    }
}

/// The buy rule: the price crossed the trigger upwards since the last evaluation.
pub(super) fn entries(bot: &mut Bot, config: &ChannelConfig, view: &MarketView<'_>, out: &mut Evaluation) {
    let held = bot.positions.iter().filter(|p| p.is_held()).count() as u32;
    let amount = config.operation_amount(bot.funds.allocated);
    let ready = !bot.buying() && held < config.max_open_positions && bot.spendable() >= amount;
    let super::state::KindState::Channel(state) = &mut bot.state else { return };
    let trigger = config.buy_trigger();
    let previous = state.previous_price.replace(view.price);
    // Only the side of the trigger the previous price was on decides a breakout, so the bot is
    // written back when that side changes, not at every tick: an idle channel bot then costs no
    // write per cycle. The stored price may be an older one, always on the same side.
    let above = |price: Decimal| price >= trigger;
    if previous.map(above) != Some(above(view.price)) {
        out.touch();
    }
    let crossed = previous.is_some_and(|p| p < trigger) && view.price >= trigger;
    if !crossed || !ready || view.price >= config.top_price {
        return;
    }
    let quantity = view.filters.floor_quantity(amount / view.ask);
    if view.filters.check(quantity, view.ask, false).is_err() {
        return;
    }
    out.place.push(OrderIntent {
        side: OrderSide::Buy,
        limit_price: None,
        quantity: None,
        quote_amount: Some(amount),
        block: amount,
        purpose: Purpose::Open { position: PositionId::new() },
        reason: format!("channel breakout: {} crossed {}", view.price, trigger),
        indicators: Default::default(),
    });
}

/// The sell rule and the placing of scheduled sales.
pub(super) fn exits(
    bot: &mut Bot,
    config: &ChannelConfig,
    view: &MarketView<'_>,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    let dust = bot.dust.quantity;
    let pending: Vec<PositionId> = bot.positions.iter().filter(|p| bot.selling(p.id)).map(|p| p.id).collect();
    let mut first_sale = true;
    for pos in bot.positions.iter_mut().filter(|p| p.is_held()) {
        let peak = pos.peak_price.map_or(view.price, |p| p.max(view.price));
        if pos.peak_price != Some(peak) {
            pos.peak_price = Some(peak);
            out.touch();
        }
        let turned =
            peak >= config.top_price && view.price <= peak * (Decimal::ONE - pct(config.sell_threshold_percent));
        if pos.status == PositionStatus::Open && turned {
            schedule(pos, config, None, at, out);
        }
        if pos.status != PositionStatus::Scheduled || pending.contains(&pos.id) {
            continue;
        }
        let Some(min) = pos.min_exit_price else { continue };
        let extra = if first_sale { dust } else { Decimal::ZERO };
        let quantity = view.filters.floor_quantity(pos.quantity + extra);
        let price = view.filters.round_sell_price(min.max(view.bid));
        if view.filters.check(quantity, price, true).is_err() {
            continue;
        }
        first_sale = false;
        out.place.push(super::exits::sell_intent(
            quantity,
            Some(price),
            Some(pos.id),
            ExitReason::Channel,
            &format!("channel sale at {price} or better (minimum {min})"),
        ));
    }
}

fn schedule(
    pos: &mut Position,
    config: &ChannelConfig,
    min_profit: Option<Decimal>,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    let Some(entry) = pos.entry_price() else { return };
    let min = config.min_exit_price(entry, min_profit.unwrap_or(config.min_profit_percent));
    pos.min_exit_price = Some(min);
    pos.status = PositionStatus::Scheduled;
    pos.scheduled_at = Some(at);
    out.events.push(BotEvent::SaleScheduled { position: pos.id, min_price: min });
    out.touch();
}

impl Bot {
    /// Schedules the sale of a channel position by hand with `min_profit_percent` (the bot's own
    /// minimum when `None`); the next evaluation places it. A position already being sold is left.
    pub fn schedule_sale(
        &mut self,
        position: PositionId,
        min_profit_percent: Option<Decimal>,
        at: OffsetDateTime,
    ) -> Result<Evaluation, BotError> {
        let super::BotConfig::Channel(config) = self.config.clone() else {
            return Err(BotError::NotForKind("only channel bots schedule sales"));
        };
        if min_profit_percent.is_some_and(|p| p < Decimal::ZERO) {
            return Err(BotError::NotForKind("min_profit_percent must be at least 0"));
        }
        let selling = self.selling(position);
        let pos = self
            .positions
            .iter_mut()
            .find(|p| p.id == position && p.is_held())
            .ok_or(BotError::NoPosition(position))?;
        let mut out = Evaluation::default();
        if !selling {
            schedule(pos, &config, min_profit_percent, at, &mut out);
            self.updated_at = at;
        }
        Ok(out)
    }
}
