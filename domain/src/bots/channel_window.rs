//! Where a channel bot's channel and operation size come from. The channel is either fixed
//! (`base_price`, `top_price`) or read from candles: the lowest low and the highest high of the
//! last `lookback` closed candles of a timeframe (the strategy watches H4), recomputed on each
//! newly closed candle. Each operation is `capital_percent` of the bot's allocation or, as the
//! strategy describes ("20% da banca"), of the account's whole balance in the quote asset.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::bot::Bot;
use super::channel::ChannelConfig;
use super::intent::{Evaluation, MarketView};
use super::state::KindState;
use crate::market::Timeframe;
use crate::shared::bounds::CountBound;

/// How many candles a window may span: the engine reads 300 per timeframe, the forming one included.
pub const LOOKBACK: CountBound = CountBound { min: 2, max: 200 };

/// A channel read from candles.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelWindow {
    /// The candles watched (e.g. `4h`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "4h"))]
    pub timeframe: Timeframe,
    /// How many closed candles the channel spans: its base is their lowest low, its top their
    /// highest high.
    #[cfg_attr(feature = "openapi", schema(minimum = 2, maximum = 200))]
    pub lookback: u32,
}

/// What `capital_percent` is a share of.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapitalBase {
    /// The bot's allocation (`allocated_balance`).
    #[default]
    Allocation,
    /// The exchange account's whole balance in the quote asset (free and locked), read at each
    /// evaluation. The bot still never spends more than its own books hold available: an
    /// operation larger than that waits, and without a readable balance it does not buy.
    Account,
}

/// The channel `candles` give at `at`, with the open time of the last closed candle used:
/// `None` until `lookback` candles have closed.
pub fn window_channel(
    window: &ChannelWindow,
    candles: &[crate::market::Candle],
    at: OffsetDateTime,
) -> Option<(Decimal, Decimal, OffsetDateTime)> {
    let closed = super::candle::closed(candles, window.timeframe, at);
    let span = closed.get(closed.len().checked_sub(window.lookback as usize)?..)?;
    let last = span.last()?.open_time;
    let base = span.iter().map(|c| c.low).min()?;
    let top = span.iter().map(|c| c.high).max()?;
    Some((base, top, last))
}

impl Bot {
    /// The channel a channel bot trades now (base, top): its fixed prices, or the last one its
    /// candles gave. `None` for other kinds, and for a window that has not closed enough candles.
    pub fn channel(&self) -> Option<(Decimal, Decimal)> {
        let (super::BotConfig::Channel(config), KindState::Channel(state)) = (&self.config, &self.state) else {
            return None;
        };
        match (config.window, config.base_price, config.top_price) {
            (None, Some(base), Some(top)) => Some((base, top)),
            (Some(_), _, _) => state.base_price.zip(state.top_price),
            _ => None,
        }
    }
}

/// Recomputes a windowed channel when a new candle of its timeframe has closed.
pub(super) fn refresh(
    bot: &mut Bot,
    config: &ChannelConfig,
    view: &MarketView<'_>,
    at: OffsetDateTime,
    out: &mut Evaluation,
) {
    let (Some(window), Some(candles)) = (config.window, view.candles) else { return };
    let KindState::Channel(state) = &mut bot.state else { return };
    let Some((base, top, last)) = window_channel(&window, candles, at) else { return };
    if state.window_candle_at == Some(last) {
        return;
    }
    state.base_price = Some(base);
    state.top_price = Some(top);
    state.window_candle_at = Some(last);
    out.touch();
}

/// The quote one operation uses now: `capital_percent` of its base; `None` when that base is
/// unknown (an unreadable account balance) or the share overflows.
pub(super) fn operation_amount(bot: &Bot, config: &ChannelConfig, view: &MarketView<'_>) -> Option<Decimal> {
    let of = match config.capital_base {
        CapitalBase::Allocation => Some(bot.funds.allocated),
        CapitalBase::Account => view.account_quote,
    };
    of.and_then(|of| config.operation_amount(of))
}

/// A bot's capital as the channel strategy shows it (`/capital/balance`): the principal given to
/// it, the profit kept apart, and what it may spend now.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capital {
    /// The quote capital given to the bot (`allocated_balance`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub principal: Decimal,
    /// Realized profit, net of fees (negative: a loss). A channel bot keeps it apart and never
    /// reinvests it; other kinds spend it with their principal.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub profit: Decimal,
    /// Quote it may spend on new operations now (not in open orders or positions; a channel bot's
    /// profit excluded).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub available: Decimal,
}

impl Bot {
    /// Its capital: principal, profit and available apart.
    pub fn capital(&self) -> Capital {
        Capital {
            principal: self.funds.allocated.normalize(),
            profit: self.funds.realized_profit.normalize(),
            available: self.spendable().normalize(),
        }
    }
}
