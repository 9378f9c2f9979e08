//! Each kind's own memory, and the hooks the aggregate calls when the bot starts, buys and
//! closes a position.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::bot::PendingOrder;
use super::candle::CandleState;
use super::channel::ChannelState;
use super::config::BotConfig;
use super::dca::{DcaExecution, DcaState};
use super::intent::BotEvent;
use super::position::Position;
use super::smart::SmartState;

/// A kind's state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum KindState {
    /// SmartBot.
    Smart(SmartState),
    /// Candle bot.
    Candle(CandleState),
    /// DCA bot.
    Dca(DcaState),
    /// Channel bot.
    Channel(ChannelState),
}

impl KindState {
    /// The initial state for `config`.
    pub fn for_config(config: &BotConfig) -> Self {
        match config {
            BotConfig::Smart(_) => KindState::Smart(SmartState::default()),
            BotConfig::Candle(_) => KindState::Candle(CandleState::default()),
            BotConfig::Dca(_) => KindState::Dca(DcaState::default()),
            BotConfig::Channel(_) => KindState::Channel(ChannelState::default()),
        }
    }

    /// The bot starts (or starts again) at `at`: schedules restart from now.
    pub fn on_start(&mut self, config: &BotConfig, at: OffsetDateTime) {
        match (self, config) {
            (KindState::Smart(s), BotConfig::Smart(c)) => s.next_cycle_at = c.first_cycle(at),
            (KindState::Dca(s), BotConfig::Dca(_)) => {
                s.next_purchase_at = Some(at);
                s.finished = false;
            }
            (KindState::Channel(s), BotConfig::Channel(_)) => s.previous_price = None,
            _ => {}
        }
    }

    /// A buy of `position` ended with something filled at the average `price`.
    #[allow(clippy::too_many_arguments)]
    pub fn on_bought(
        &mut self,
        bot: crate::shared::ids::BotId,
        config: &BotConfig,
        position: &mut Position,
        order: &PendingOrder,
        price: Decimal,
        at: OffsetDateTime,
        events: &mut Vec<BotEvent>,
    ) {
        match (self, config) {
            (KindState::Dca(s), BotConfig::Dca(_)) => {
                s.cycle = s.cycle.saturating_add(1);
                let spent = if order.fee_asset == Some(super::FeeAsset::Quote) {
                    order.filled_quote.saturating_add(order.fee)
                } else {
                    order.filled_quote
                };
                let net = if order.fee_asset == Some(super::FeeAsset::Base) {
                    order.filled_quantity - order.fee
                } else {
                    order.filled_quantity
                };
                events.push(BotEvent::Execution(DcaExecution {
                    bot_id: bot,
                    round: s.rounds_completed,
                    cycle: s.cycle,
                    amount: spent,
                    quantity: net,
                    price,
                    fee: order.fee,
                    fee_asset: order.fee_asset,
                    average_price: position.entry_price().unwrap_or(price),
                    at,
                }));
            }
            (KindState::Channel(_), BotConfig::Channel(c)) => {
                if let Some(entry) = position.entry_price() {
                    position.min_exit_price = c.min_exit_price(entry, c.min_profit_percent);
                }
            }
            _ => {}
        }
    }

    /// A position closed.
    pub fn on_closed(&mut self, config: &BotConfig, position: &Position, at: OffsetDateTime, _events: &mut [BotEvent]) {
        if let (KindState::Dca(s), BotConfig::Dca(c)) = (self, config) {
            if s.position == Some(position.id) {
                s.position = None;
                s.rounds_completed += 1;
                s.cycle = 0;
                if c.auto_restart {
                    s.next_purchase_at = Some(at);
                } else {
                    s.finished = true;
                }
            }
        }
    }

    /// Why the bot is done, if it is (a DCA accumulation sold without auto-restart).
    pub fn finished(&self, _config: &BotConfig, positions: &[Position]) -> Option<String> {
        match self {
            KindState::Dca(s) if s.finished && positions.is_empty() => {
                Some("dca accumulation sold; auto_restart is off".to_owned())
            }
            _ => None,
        }
    }
}
