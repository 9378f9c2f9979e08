//! Channel bot (from the channel strategy document): between a base price and a top price, it
//! buys when the price breaks `buy_threshold_percent` above the base, with `capital_percent` of
//! its capital per operation, and schedules the sale when the price falls `sell_threshold_percent`
//! from its peak after reaching the top. A sale is a limit order at or above the position's
//! minimum exit price (entry + fees + minimum profit): it never sells at a loss. Profits are kept
//! apart and never reinvested. The channel may be fixed or read from candles, and the capital a
//! share of the allocation or of the account (`channel_window`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::bot::{Bot, BotError};
use super::channel_window::{CapitalBase, ChannelWindow, LOOKBACK};
use super::intent::{BotEvent, Evaluation, MarketView, OrderIntent, Purpose};
use super::position::{ExitReason, Position, PositionStatus};
use super::{BreakerPreset, RiskConfig};
use crate::exchange::OrderSide;
use crate::shared::bounds::{
    FALL_PERCENT, FEE_PERCENT, GAIN_PERCENT, LOSS_PERCENT, OPEN_POSITIONS, PRICE, PROFIT_PERCENT,
};
use crate::shared::checked::{percent_of, plus_percent};
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
    /// The channel's floor, fixed (required unless `window` is given, forbidden with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub base_price: Option<Decimal>,
    /// The channel's top, fixed (required unless `window` is given, forbidden with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub top_price: Option<Decimal>,
    /// The channel read from candles instead of fixed prices: the lowest low and highest high of
    /// the last `lookback` closed candles of `timeframe`, recomputed on each closed candle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<ChannelWindow>,
    /// What `capital_percent` is a share of: `allocation` (default, `allocated_balance`) or
    /// `account` (the account's whole balance in the quote asset, the strategy's "banca").
    #[serde(default)]
    pub capital_base: CapitalBase,
    /// Buy when the price rises this % above the base.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub buy_threshold_percent: Decimal,
    /// Schedule the sale when the price falls this % from its peak (once the peak reached the top).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,2}(\.\d{1,18})?$"))]
    pub sell_threshold_percent: Decimal,
    /// Never sell below entry price + fees + this %.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,5}(\.\d{1,18})?$"))]
    pub min_profit_percent: Decimal,
    /// The share of the capital (see `capital_base`) each operation uses, %.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,3}(\.\d{1,18})?$"))]
    pub capital_percent: Decimal,
    /// Quote capital given to the bot.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{1,16}(\.\d{1,18})?$"))]
    pub allocated_balance: Decimal,
    /// The exchange's fee on a sale, %, counted in the minimum exit price (default 0.7, the
    /// highest taker fee of the supported exchanges; overstating it only raises the floor).
    #[serde(default = "default_fee")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d(\.\d{1,18})?$"))]
    pub sell_fee_percent: Decimal,
    /// Positions held at once (default 1).
    #[serde(default = "one")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
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
    /// A windowed channel's base, from its last closed candles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_price: Option<Decimal>,
    /// A windowed channel's top, from its last closed candles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_price: Option<Decimal>,
    /// The open time of the last closed candle the window was computed on.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub window_candle_at: Option<OffsetDateTime>,
}

fn pct(p: Decimal) -> Decimal {
    p / Decimal::ONE_HUNDRED
}

impl ChannelConfig {
    /// Rules of its own fields.
    pub fn validate(&self) -> Result<(), Vec<FieldIssue>> {
        let mut issues = Issues::new();
        match self.window {
            Some(window) => {
                let fixed = "a channel is fixed (base_price, top_price) or read from a window, not both";
                issues.check(self.base_price.is_none(), "base_price", fixed);
                issues.check(self.top_price.is_none(), "top_price", fixed);
                issues.counted("window.lookback", Some(window.lookback), LOOKBACK);
            }
            None => {
                let needed = "required unless window is given";
                issues.check(self.base_price.is_some(), "base_price", needed);
                issues.check(self.top_price.is_some(), "top_price", needed);
                issues.bounded_opt("base_price", self.base_price, PRICE);
                issues.bounded_opt("top_price", self.top_price, PRICE);
                if let (Some(base), Some(top)) = (self.base_price, self.top_price) {
                    issues.check(top > base, "top_price", "must be above base_price");
                }
            }
        }
        issues.bounded("buy_threshold_percent", self.buy_threshold_percent, GAIN_PERCENT);
        issues.bounded("sell_threshold_percent", self.sell_threshold_percent, FALL_PERCENT);
        issues.bounded("min_profit_percent", self.min_profit_percent, PROFIT_PERCENT);
        issues.bounded("capital_percent", self.capital_percent, LOSS_PERCENT);
        issues.bounded("sell_fee_percent", self.sell_fee_percent, FEE_PERCENT);
        issues.counted("max_open_positions", Some(self.max_open_positions), OPEN_POSITIONS);
        let sells = self.risk.take_profit_percent.is_some()
            || self.risk.stop_loss_hard_percent.is_some()
            || self.risk.stop_loss_soft_percent.is_some()
            || self.risk.trailing_stop.is_some()
            || self.risk.adaptive_sell.is_some();
        issues.check(!sells, "risk", "a channel bot sells only by its channel rules: only sanity_max_move_percent and auto_cancel_distance_percent apply");
        issues.finish()
    }

    /// The price that triggers a buy in a channel whose floor is `base`; `None` when it overflows
    /// (a configuration out of bounds).
    pub fn buy_trigger(&self, base: Decimal) -> Option<Decimal> {
        plus_percent(base, self.buy_threshold_percent)
    }

    /// The quote each operation uses; `None` when it overflows.
    pub fn operation_amount(&self, allocated: Decimal) -> Option<Decimal> {
        percent_of(allocated, self.capital_percent)
    }

    /// The lowest price a position bought at `entry` (fees included) may be sold at for
    /// `min_profit_percent`: entry x (1 + min profit) / (1 - sell fee). `None` when it overflows.
    pub fn min_exit_price(&self, entry: Decimal, min_profit_percent: Decimal) -> Option<Decimal> {
        let kept = Decimal::ONE.checked_sub(pct(self.sell_fee_percent)).filter(|k| *k > Decimal::ZERO)?;
        plus_percent(entry, min_profit_percent)?.checked_div(kept).map(|p| p.round_dp(12))
    }
}

/// The buy rule: the price crossed the trigger upwards since the last evaluation.
pub(super) fn entries(
    bot: &mut Bot,
    config: &ChannelConfig,
    view: &MarketView<'_>,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    super::channel_window::refresh(bot, config, view, at, out);
    let held = bot.positions.iter().filter(|p| p.is_held()).count() as u32;
    let amount = super::channel_window::operation_amount(bot, config, view);
    let ready = !bot.buying() && held < config.max_open_positions && amount.is_some_and(|a| bot.spendable() >= a);
    let Some((base, top)) = bot.channel() else { return };
    let super::state::KindState::Channel(state) = &mut bot.state else { return };
    let Some(trigger) = config.buy_trigger(base) else { return };
    let previous = state.previous_price.replace(view.price);
    // Only the side of the trigger the previous price was on decides a breakout, so the bot is
    // written back when that side changes, not at every tick: an idle channel bot then costs no
    // write per cycle. The stored price may be an older one, always on the same side.
    let above = |price: Decimal| price >= trigger;
    if previous.map(above) != Some(above(view.price)) {
        out.touch();
    }
    let crossed = previous.is_some_and(|p| p < trigger) && view.price >= trigger;
    let Some(amount) = amount.filter(|_| crossed && ready && view.price < top) else { return };
    let Some(quantity) = amount.checked_div(view.ask).map(|q| view.filters.floor_quantity(q)) else { return };
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
    super::channel_window::refresh(bot, config, view, at, out);
    // Without a channel yet (a window still filling) nothing turns, but scheduled sales still go out.
    let top = bot.channel().map(|(_, top)| top);
    let mut sellable = super::exits::Sellable::of(bot);
    // The dust joins a sale only at a price that also covers its own cost and minimum profit, so
    // it never turns a sale at a position's minimum into a loss; until then it waits.
    let dust_floor = (bot.dust.quantity > Decimal::ZERO)
        .then(|| bot.dust.cost.checked_div(bot.dust.quantity))
        .flatten()
        .and_then(|entry| config.min_exit_price(entry.round_dp(12), config.min_profit_percent));
    let pending: Vec<PositionId> = bot.positions.iter().filter(|p| bot.selling(p.id)).map(|p| p.id).collect();
    for pos in bot.positions.iter_mut().filter(|p| p.is_held()) {
        let peak = pos.peak_price.map_or(view.price, |p| p.max(view.price));
        if pos.peak_price != Some(peak) {
            pos.peak_price = Some(peak);
            out.touch();
        }
        let turned = top.is_some_and(|top| peak >= top)
            && view.price <= peak * (Decimal::ONE - pct(config.sell_threshold_percent));
        if pos.status == PositionStatus::Open && turned {
            schedule(pos, config, None, at, out);
        }
        if pos.status != PositionStatus::Scheduled || pending.contains(&pos.id) {
            continue;
        }
        let Some(min) = pos.min_exit_price else { continue };
        let price = view.filters.round_sell_price(min.max(view.bid));
        let with_dust = sellable.dust() > Decimal::ZERO && dust_floor.is_some_and(|floor| price >= floor);
        let quantity = sellable.size(pos.quantity, with_dust, view.filters);
        if view.filters.check(quantity, price, true).is_err() {
            continue;
        }
        sellable.take(quantity, pos.quantity);
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
    let Some(min) = config.min_exit_price(entry, min_profit.unwrap_or(config.min_profit_percent)) else { return };
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
        if min_profit_percent.is_some_and(|p| !PROFIT_PERCENT.contains(p)) {
            return Err(BotError::NotForKind(
                "min_profit_percent must be at least 0 and at most 10000, with at most 18 decimal places",
            ));
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
