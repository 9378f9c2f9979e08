//! Exit rules: the risk rules on every held position (SmartBot lots, the candle bot's trade, the
//! DCA accumulation), the channel's own rule, the soft stop and auto-cancel. Protective exits
//! (stop loss, trailing stop) run whatever the status; take profit only on a running bot.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::bot::Bot;
use super::config::BotConfig;
use super::intent::{BotEvent, Evaluation, MarketView, OrderIntent, Phase, Purpose};
use super::position::ExitReason;
use super::status::BotStatus;
use super::{RiskAction, RiskConfig};
use crate::exchange::OrderSide;
use crate::shared::ids::PositionId;

/// A sale of `quantity`, at market or at `limit`.
pub(super) fn sell_intent(
    quantity: Decimal,
    limit: Option<Decimal>,
    position: Option<PositionId>,
    reason: ExitReason,
    why: &str,
) -> OrderIntent {
    OrderIntent {
        side: OrderSide::Sell,
        limit_price: limit,
        quantity: Some(quantity),
        quote_amount: None,
        block: Decimal::ZERO,
        purpose: Purpose::Close { position, reason },
        reason: why.to_owned(),
        indicators: BTreeMap::new(),
    }
}

/// What the sales of one evaluation may still take: the base the books hold free (not locked by
/// an open sale) and the dust no open sale holds. Dust joins at most one open sale, and no sale
/// asks for more than is free, so the bot never refuses its own order: a sale left open by a
/// crash between placement steps, a lost answer or a resting limit sell keeps what it locked.
pub(super) struct Sellable {
    free: Decimal,
    dust: Decimal,
}

impl Sellable {
    /// What `bot` may sell now. The positions no open sale is selling hold their own base; what is
    /// free beyond them is the dust, when no open sale took it.
    pub(super) fn of(bot: &Bot) -> Self {
        let free = bot.funds.free_holdings();
        let unsold: Decimal =
            bot.positions.iter().filter(|p| p.is_held() && !bot.selling(p.id)).map(|p| p.quantity).sum();
        let dust = free.saturating_sub(unsold).clamp(Decimal::ZERO, bot.dust.quantity);
        Self { free, dust }
    }

    /// The dust no open sale holds.
    pub(super) fn dust(&self) -> Decimal {
        self.dust
    }

    /// The quantity a sale of a position holding `held` asks (with the free dust when `with_dust`),
    /// floored to the market's step and never above what is free.
    pub(super) fn size(&self, held: Decimal, with_dust: bool, filters: &crate::market::MarketFilters) -> Decimal {
        let extra = if with_dust { self.dust } else { Decimal::ZERO };
        filters.floor_quantity(held.saturating_add(extra).min(self.free))
    }

    /// A sale of `quantity` for a position holding `held` is placed: its base is no longer free,
    /// and the dust is taken when the sale carries more than the position.
    pub(super) fn take(&mut self, quantity: Decimal, held: Decimal) {
        self.free = self.free.saturating_sub(quantity).max(Decimal::ZERO);
        if quantity > held {
            self.dust = Decimal::ZERO;
        }
    }
}

fn exit_reason(action: RiskAction) -> Option<ExitReason> {
    match action {
        RiskAction::TakeProfit => Some(ExitReason::TakeProfit),
        RiskAction::StopLoss => Some(ExitReason::StopLoss),
        RiskAction::TrailingStop => Some(ExitReason::TrailingStop),
        RiskAction::Hold | RiskAction::StopBuying => None,
    }
}

/// Runs the exit rules that `phase` and the bot's status allow.
pub(super) fn evaluate_exits(
    bot: &mut Bot,
    phase: Phase,
    view: &MarketView<'_>,
    risk: &RiskConfig,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    auto_cancel(bot, risk, view, out);
    if let BotConfig::Channel(c) = bot.config.clone() {
        // The channel's sale is a limit order above its floor: it runs whenever the bot is running.
        if bot.status == BotStatus::Running && view.trading {
            super::channel::exits(bot, &c, view, at, out);
        }
        return;
    }
    if phase == Phase::Entry && bot.kind() != super::BotKind::Dca {
        return;
    }
    let running = bot.status == BotStatus::Running;
    let mut any_soft = false;
    let mut soft = None;
    let mut sellable = Sellable::of(bot);
    let selling: Vec<PositionId> = bot.positions.iter().filter(|p| bot.selling(p.id)).map(|p| p.id).collect();
    let mut sales = Vec::new();
    for pos in bot.positions.iter_mut().filter(|p| p.is_held() && p.quantity > Decimal::ZERO) {
        let Some(entry) = pos.entry_price() else { continue };
        let before = pos.trailing;
        let action = risk.evaluate(entry, view.price, view.volatility_percent, &mut pos.trailing);
        if pos.trailing != before {
            out.touch();
        }
        if action == RiskAction::StopBuying {
            if !any_soft {
                soft = Some(format!("soft stop loss at {} (entry {entry})", view.price));
            }
            any_soft = true;
            if !bot.buying_halted {
                out.events.push(BotEvent::SoftStop { position: pos.id, price: view.price });
            }
        }
        let Some(reason) = exit_reason(action) else { continue };
        let allowed = if reason.is_protective() { true } else { running && phase != Phase::Protect };
        if !allowed || selling.contains(&pos.id) || !view.trading {
            continue;
        }
        let quantity = sellable.size(pos.quantity, true, view.filters);
        if view.filters.check(quantity, view.bid, false).is_err() {
            continue;
        }
        sellable.take(quantity, pos.quantity);
        let why = format!("{reason:?} at {} (entry {entry})", view.price).to_lowercase();
        sales.push(sell_intent(quantity, None, Some(pos.id), reason, &why));
    }
    out.place.extend(sales);
    if bot.buying_halted != any_soft && (phase != Phase::Entry || any_soft) {
        bot.buying_halted = any_soft;
        if let Some(reason) = soft {
            bot.raise_soft_stop(reason, at);
        }
        out.touch();
    }
}

/// Cancels pending limit orders (not channel sales, whose price is a floor) further than the
/// auto-cancel distance from the price.
fn auto_cancel(bot: &Bot, risk: &RiskConfig, view: &MarketView<'_>, out: &mut Evaluation) {
    for order in &bot.pending {
        let Some(limit) = order.limit_price else { continue };
        let floor = matches!(order.purpose, Purpose::Close { reason: ExitReason::Channel, .. });
        if !floor && risk.should_auto_cancel(limit, view.price) {
            out.cancel.push(order.client_order_id.clone());
        }
    }
}
