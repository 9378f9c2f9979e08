//! Which of an owner's bots a plan lets run: the one rule the downgrade enforcer, `start`,
//! `resume` and the engine's entry gate share, so that they never disagree.
//!
//! A bot may run when its plan includes its kind, includes the advanced indicators it uses (candle
//! bots), and it is among the oldest bots of the included kinds, as many as the plan allows. Bots
//! of excluded kinds do not take a place: after a downgrade the oldest allowed bots keep running.

use std::fmt;

use super::Entitlements;
use crate::bots::{Bot, BotConfig, BotKind};
use crate::shared::ids::BotId;

/// Why a plan does not let a bot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BotRefusal {
    /// The plan does not include the bot's kind.
    Kind(BotKind),
    /// Older bots already take every place the plan allows (`max`).
    Limit {
        /// The plan's bot limit.
        max: u32,
    },
    /// The candle bot uses advanced indicators the plan does not include.
    AdvancedIndicators,
}

impl fmt::Display for BotRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BotRefusal::Kind(kind) => write!(f, "the plan does not include {kind} bots"),
            BotRefusal::Limit { max } => write!(f, "the plan allows {max} bots and older bots take every place"),
            BotRefusal::AdvancedIndicators => f.write_str("the plan does not include advanced indicators"),
        }
    }
}

/// Whether `bot` uses advanced indicators (candle bots only).
fn uses_advanced(bot: &Bot) -> bool {
    matches!(&bot.config, BotConfig::Candle(candle) if candle.uses_advanced())
}

impl Entitlements {
    /// Why the plan refuses `bot`, which has `rank` bots of included kinds older than itself
    /// (`None`: it may run).
    pub fn bot_refusal(&self, bot: &Bot, rank: u64) -> Option<BotRefusal> {
        let kind = bot.kind();
        if !self.allows_kind(kind) {
            return Some(BotRefusal::Kind(kind));
        }
        if let Some(max) = self.bots.max() {
            if rank >= u64::from(max) {
                return Some(BotRefusal::Limit { max });
            }
        }
        if uses_advanced(bot) && !self.advanced_indicators {
            return Some(BotRefusal::AdvancedIndicators);
        }
        None
    }

    /// The verdict on each of an owner's bots, given oldest first (as `BotRepository::list`
    /// returns them): its id and why the plan refuses it, if it does.
    pub fn bot_verdicts<'a>(
        &self,
        oldest_first: impl IntoIterator<Item = &'a Bot>,
    ) -> Vec<(BotId, Option<BotRefusal>)> {
        let mut rank = 0u64;
        oldest_first
            .into_iter()
            .map(|bot| {
                let verdict = self.bot_refusal(bot, rank);
                if self.allows_kind(bot.kind()) {
                    rank += 1;
                }
                (bot.id, verdict)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use crate::contexts::{ContextMode, TradingContext};
    use crate::exchange::ExchangeId;
    use crate::market::Symbol;
    use crate::shared::ids::UserId;
    use crate::subscriptions::{EntitlementTable, Plan};

    fn bot(kind: BotKind, config: serde_json::Value) -> Bot {
        let at = datetime!(2026-01-05 12:00 UTC);
        let symbol = Symbol::parse("BTC-USDT").unwrap();
        let context = TradingContext::new(UserId::new(), ExchangeId::Binance, &symbol, ContextMode::Paper, at);
        Bot::new(&context, format!("{kind}"), BotConfig::parse(kind, &config).unwrap(), at)
    }

    fn smart() -> Bot {
        bot(
            BotKind::Smart,
            json!({"mode": {"type": "continuous", "interval_seconds": 3600}, "purchase_amount": "50",
                "allocated_balance": "1000"}),
        )
    }

    fn candle(indicator: &str) -> Bot {
        bot(
            BotKind::Candle,
            json!({"timeframe": "1h", "indicators": [{"indicator": indicator}], "order_amount": "50",
                "allocated_balance": "1000"}),
        )
    }

    fn dca() -> Bot {
        bot(
            BotKind::Dca,
            json!({"purchase_amount": "20", "frequency": "24h", "allocated_balance": "1000",
                "take_profit_percent": "5"}),
        )
    }

    #[test]
    fn the_oldest_bots_of_included_kinds_keep_their_places() {
        let free = EntitlementTable::default().for_plan(Plan::Free);
        let bots = [smart(), dca(), smart(), smart(), smart()];
        let verdicts: Vec<Option<BotRefusal>> = free.bot_verdicts(&bots).into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            verdicts,
            [
                None,
                Some(BotRefusal::Kind(BotKind::Dca)),
                None,
                Some(BotRefusal::Limit { max: 2 }),
                Some(BotRefusal::Limit { max: 2 })
            ]
        );
    }

    #[test]
    fn advanced_indicators_need_a_plan_that_includes_them() {
        let table = EntitlementTable::default();
        let advanced = candle("vwap");
        assert_eq!(table.for_plan(Plan::Pro).bot_refusal(&advanced, 0), Some(BotRefusal::AdvancedIndicators));
        assert_eq!(table.for_plan(Plan::Max).bot_refusal(&advanced, 0), None);
        assert_eq!(table.for_plan(Plan::Pro).bot_refusal(&candle("rsi"), 0), None);
        assert!(BotRefusal::AdvancedIndicators.to_string().contains("advanced indicators"));
    }

    #[test]
    fn unlimited_plans_refuse_no_rank() {
        let max = EntitlementTable::default().for_plan(Plan::Max);
        assert_eq!(max.bot_refusal(&smart(), u64::MAX), None);
    }
}
