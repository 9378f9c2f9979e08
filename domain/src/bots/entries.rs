//! The entry rules of every kind, behind one call.

use time::OffsetDateTime;

use super::bot::Bot;
use super::config::BotConfig;
use super::intent::{Evaluation, MarketView};

/// Runs the entry rule of `bot`'s kind (the caller checked that the bot may open positions).
pub(super) fn evaluate_entries(bot: &mut Bot, view: &MarketView<'_>, at: OffsetDateTime, out: &mut Evaluation) {
    match bot.config.clone() {
        BotConfig::Smart(c) => super::smart::entries(bot, &c, view, at, out),
        BotConfig::Candle(c) => super::candle::entries(bot, &c, view, at, out),
        BotConfig::Dca(c) => super::dca::entries(bot, &c, view, at, out),
        BotConfig::Channel(c) => super::channel::entries(bot, &c, view, at, out),
    }
}
