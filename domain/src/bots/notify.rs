//! What a bot tells its owner: the events its changes raise into its [`Outbox`], stored in the
//! same write as the change (status changes, the soft stop halting its buying, closed positions,
//! funds withdrawn outside botfleet). Only real changes raise: a status set to what it already
//! is, or an exchange report applied twice, raises nothing.
//!
//! [`Outbox`]: crate::notifications::Outbox

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::bot::Bot;
use super::position::{ExitReason, Position};
use super::status::BotStatus;
use crate::notifications::{
    BotRef, BotStatusData, Event, EventPayload, FundsWithdrawnData, PositionData, SoftStopData,
};

impl Bot {
    /// Which bot events are about.
    pub fn bot_ref(&self) -> BotRef {
        BotRef {
            bot_id: self.id,
            bot_name: self.name.clone(),
            context_id: self.context_id,
            exchange: self.exchange,
            symbol: self.symbol.clone(),
            mode: self.mode,
        }
    }

    /// Raises `payload` for its owner, to be stored with its next write.
    fn raise(&mut self, payload: EventPayload, at: OffsetDateTime) {
        self.outbox.raise(Event::new(self.user_id, payload, at));
    }

    /// Raises the event of a status change from `from` to `to` (nothing when they are equal).
    pub(super) fn raise_status(&mut self, from: BotStatus, to: BotStatus, reason: &str, at: OffsetDateTime) {
        use BotStatus::*;
        let make: fn(BotStatusData) -> EventPayload = match (from, to) {
            (f, t) if f == t => return,
            (Created | Stopped, Running) => EventPayload::BotStarted,
            (_, Running) => EventPayload::BotResumed,
            (_, Paused) => EventPayload::BotPaused,
            (_, Stopped) => EventPayload::BotStopped,
            (_, Tripped) => EventPayload::BotTripped,
            // Nothing leads back to created.
            (_, Created) => return,
        };
        let data = BotStatusData { bot: self.bot_ref(), from, to, reason: reason.to_owned() };
        self.raise(make(data), at);
    }

    /// Raises `bot.soft_stop_hit`: the soft stop loss just halted its buying.
    pub(super) fn raise_soft_stop(&mut self, reason: String, at: OffsetDateTime) {
        let data = SoftStopData { bot: self.bot_ref(), reason };
        self.raise(EventPayload::SoftStopHit(data), at);
    }

    /// Raises `position.closed` for the closed `position`, and the exit's own event when a take
    /// profit, stop loss or trailing stop sold it.
    pub(super) fn raise_closed(&mut self, position: &Position, at: OffsetDateTime) {
        let reason = position.exit_reason.unwrap_or(ExitReason::Manual);
        let data = PositionData {
            bot: self.bot_ref(),
            position_id: position.id,
            exit_reason: reason,
            quantity: position.sold_quantity,
            entry_cost: position.proceeds - position.realized_profit,
            proceeds: position.proceeds,
            realized_pnl: position.realized_profit,
            exit_price: position.proceeds.checked_div(position.sold_quantity).map(|p| p.round_dp(12).normalize()),
        };
        let exit: Option<fn(PositionData) -> EventPayload> = match reason {
            ExitReason::TakeProfit => Some(EventPayload::TakeProfitExecuted),
            ExitReason::StopLoss => Some(EventPayload::StopLossExecuted),
            ExitReason::TrailingStop => Some(EventPayload::TrailingStopExecuted),
            _ => None,
        };
        if let Some(exit) = exit {
            self.raise(exit(data.clone()), at);
        }
        self.raise(EventPayload::PositionClosed(data), at);
    }

    /// Raises `funds.withdrawn`: `asset` on the exchange (`available`) fell below what the bot
    /// counted on (`expected`), withdrawn outside botfleet.
    pub fn raise_funds_withdrawn(&mut self, asset: &str, expected: Decimal, available: Decimal, at: OffsetDateTime) {
        let data = FundsWithdrawnData { bot: Some(self.bot_ref()), asset: asset.to_owned(), expected, available };
        self.raise(EventPayload::FundsWithdrawn(data), at);
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
