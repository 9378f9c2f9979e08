//! Positions: what a bot bought and has not sold yet (a SmartBot lot, a candle bot's trade, a DCA
//! accumulation, a channel position), with their cost net of fees and, once closed, their result.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::TrailingState;
use crate::shared::ids::PositionId;

/// Where a position is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionStatus {
    /// Held.
    Open,
    /// Held, with a sale scheduled at `min_exit_price` or better (channel bots).
    Scheduled,
    /// Sold (or given up as dust).
    Closed,
}

/// Why a position was (or is being) sold.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// Take profit reached.
    TakeProfit,
    /// Hard stop loss.
    StopLoss,
    /// Trailing stop.
    TrailingStop,
    /// A SELL signal (candle bots).
    Signal,
    /// The channel's sell rule or a scheduled sale.
    Channel,
    /// Emergency sell.
    Emergency,
    /// A sale its owner commanded (`POST /api/bots/{id}/sell`).
    Manual,
}

impl ExitReason {
    /// Whether it protects against loss, and so still runs on a paused or tripped bot.
    pub fn is_protective(self) -> bool {
        matches!(self, ExitReason::StopLoss | ExitReason::TrailingStop | ExitReason::Emergency)
    }
}

/// Base left over from sales too small to sell on its own, with its cost (quote fees included):
/// added to the bot's next sale, which carries its cost and proceeds. Stored bots written when
/// dust was a whole [`Position`] read into it (the extra fields are ignored).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dust {
    /// Base held.
    pub quantity: Decimal,
    /// What it cost.
    pub cost: Decimal,
}

impl Dust {
    /// Its quantity and cost, to take part of them.
    pub(crate) fn holding(&mut self) -> (&mut Decimal, &mut Decimal) {
        (&mut self.quantity, &mut self.cost)
    }
}

/// One position of a bot.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Id.
    pub id: PositionId,
    /// Status.
    pub status: PositionStatus,
    /// Base held, net of base fees.
    pub quantity: Decimal,
    /// What it cost, quote fees included.
    pub cost: Decimal,
    /// How many buys built it (DCA cycles).
    pub buys: u32,
    /// Opened.
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    /// The trailing stop's memory.
    #[serde(default)]
    pub trailing: TrailingState,
    /// Channel bots: the highest price since it opened.
    #[serde(default)]
    pub peak_price: Option<Decimal>,
    /// The lowest price it may be sold at (channel bots: entry + fees + minimum profit).
    #[serde(default)]
    pub min_exit_price: Option<Decimal>,
    /// When its sale was scheduled.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub scheduled_at: Option<OffsetDateTime>,
    /// Base sold so far.
    #[serde(default)]
    pub sold_quantity: Decimal,
    /// Quote received so far, net of fees.
    #[serde(default)]
    pub proceeds: Decimal,
    /// Realized profit so far (net of every fee).
    #[serde(default)]
    pub realized_profit: Decimal,
    /// Why it was sold.
    #[serde(default)]
    pub exit_reason: Option<ExitReason>,
    /// Closed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

impl Position {
    /// Its quantity and cost, to take part of them.
    pub(crate) fn holding(&mut self) -> (&mut Decimal, &mut Decimal) {
        (&mut self.quantity, &mut self.cost)
    }

    /// An empty open position; buys fill it.
    pub fn new(id: PositionId, at: OffsetDateTime) -> Self {
        Self {
            id,
            status: PositionStatus::Open,
            quantity: Decimal::ZERO,
            cost: Decimal::ZERO,
            buys: 0,
            opened_at: at,
            trailing: TrailingState::default(),
            peak_price: None,
            min_exit_price: None,
            scheduled_at: None,
            sold_quantity: Decimal::ZERO,
            proceeds: Decimal::ZERO,
            realized_profit: Decimal::ZERO,
            exit_reason: None,
            closed_at: None,
        }
    }

    /// The average entry price, fees included (`cost / quantity`), while it holds something and
    /// the price fits in a `Decimal`.
    pub fn entry_price(&self) -> Option<Decimal> {
        (self.quantity > Decimal::ZERO).then(|| self.cost.checked_div(self.quantity)).flatten().map(|p| p.round_dp(12))
    }

    /// Whether it still holds something.
    pub fn is_held(&self) -> bool {
        self.status != PositionStatus::Closed
    }
}
