//! What the engine gives a bot (the market now) and what a bot answers (orders to place or
//! cancel, events to record). Pure values: the same evaluation serves live, paper and backtests.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::position::ExitReason;
use crate::exchange::{ClientOrderId, OrderSide};
use crate::indicators::Columns;
use crate::market::{Candle, MarketFilters};
use crate::shared::ids::PositionId;

/// Which workflow is evaluating: each kind buys in one and sells in others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Opening positions (smart_bot_purchase, candle_bots_analysis, dca_execution, channel).
    Entry,
    /// Every exit rule, take profit included (smart_bot_sales, candle_bots_risk_management,
    /// dca_risk_management, channel).
    Exit,
    /// Protective exits, soft stop and auto-cancel only (smart_bot_check_situation).
    Protect,
}

/// The market as one evaluation sees it.
#[derive(Clone, Copy, Debug)]
pub struct MarketView<'a> {
    /// Last traded price.
    pub price: Decimal,
    /// Best bid.
    pub bid: Decimal,
    /// Best ask.
    pub ask: Decimal,
    /// The market's order filters.
    pub filters: &'a MarketFilters,
    /// Whether the market accepts orders now.
    pub trading: bool,
    /// Recent volatility, % (for adaptive sell), when known.
    pub volatility_percent: Option<Decimal>,
    /// Closed candles of the bot's timeframe, oldest first (candle bots).
    pub candles: Option<&'a [Candle]>,
    /// `candles` as columns, converted by the first bot of the market that analyses and shared
    /// by the others ([`Columns::from_candles`]); when absent, a bot converts its own.
    pub columns: Option<&'a OnceLock<Columns>>,
    /// The account's whole balance in the quote asset (free and locked), when a bot sizes its
    /// operations from it (a channel bot with `capital_base: account`); `None` when not read.
    pub account_quote: Option<Decimal>,
}

/// Whether an order opens (or adds to) a position or closes one.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Purpose {
    /// A buy for this position.
    Open {
        /// The position it builds.
        position: PositionId,
    },
    /// A sale of this position, or of everything held when `None` (emergency sell).
    Close {
        /// The position sold.
        position: Option<PositionId>,
        /// Why.
        reason: ExitReason,
    },
}

/// An order a bot wants placed. Sizes are already rounded to the market's filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderIntent {
    /// Buy or sell.
    pub side: OrderSide,
    /// Limit price; `None` for a market order.
    pub limit_price: Option<Decimal>,
    /// Base quantity (sells, limit buys, DCA buys).
    pub quantity: Option<Decimal>,
    /// Quote amount to spend (market buys by amount).
    pub quote_amount: Option<Decimal>,
    /// The quote to block for a buy (the amount, or quantity x limit price).
    pub block: Decimal,
    /// What it is for.
    pub purpose: Purpose,
    /// Why, for people and for the order's creation context.
    pub reason: String,
    /// Indicator values behind it (candle bots).
    pub indicators: BTreeMap<String, Decimal>,
}

/// Something worth recording that is not an order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum BotEvent {
    /// A tick failed the sanity check and was ignored.
    TickIgnored {
        /// The previous price.
        previous: Decimal,
        /// The refused price.
        price: Decimal,
    },
    /// The soft stop loss fired: the bot stops buying until its positions recover.
    SoftStop {
        /// Position.
        position: PositionId,
        /// Price.
        price: Decimal,
    },
    /// The circuit breaker tripped.
    Tripped {
        /// Why, in words.
        reason: String,
    },
    /// A channel position's sale was scheduled.
    SaleScheduled {
        /// Position.
        position: PositionId,
        /// The lowest price it may be sold at.
        min_price: Decimal,
    },
    /// A candle analysis: the signal, its confidence and the values behind it.
    Signal(crate::bots::SignalRecord),
    /// A DCA purchase filled.
    Execution(crate::bots::DcaExecution),
    /// A position closed.
    PositionClosed(crate::bots::Position),
    /// The bot stopped by itself (e.g. a DCA plan completed without auto-restart).
    Finished {
        /// Why.
        reason: String,
    },
    /// `anomaly_check` paused the bot's entries: its market shows an anomaly.
    EntriesHeld {
        /// The anomaly, in words.
        reason: String,
    },
    /// The anomaly cleared and `anomaly_check` resumed the bot.
    EntriesResumed {
        /// What cleared.
        reason: String,
    },
    /// `sync_strategy_balances` corrected the books (released what ended orders still held).
    BooksCorrected {
        /// What was corrected.
        reason: String,
    },
    /// `sync_strategy_balances` found books it cannot trust and paused the bot.
    BooksUntrusted {
        /// What does not add up, and what to do.
        reason: String,
    },
}

impl BotEvent {
    /// The event's name, as serialised in its `event` field.
    pub fn name(&self) -> &'static str {
        match self {
            BotEvent::TickIgnored { .. } => "tick_ignored",
            BotEvent::SoftStop { .. } => "soft_stop",
            BotEvent::Tripped { .. } => "tripped",
            BotEvent::SaleScheduled { .. } => "sale_scheduled",
            BotEvent::Signal(_) => "signal",
            BotEvent::Execution(_) => "execution",
            BotEvent::PositionClosed(_) => "position_closed",
            BotEvent::Finished { .. } => "finished",
            BotEvent::EntriesHeld { .. } => "entries_held",
            BotEvent::EntriesResumed { .. } => "entries_resumed",
            BotEvent::BooksCorrected { .. } => "books_corrected",
            BotEvent::BooksUntrusted { .. } => "books_untrusted",
        }
    }
}

/// The outcome of one evaluation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Orders to place, in order.
    pub place: Vec<OrderIntent>,
    /// Pending orders to cancel.
    pub cancel: Vec<ClientOrderId>,
    /// Events to record.
    pub events: Vec<BotEvent>,
    /// Whether the bot's state changed and must be written back.
    pub changed: bool,
}

impl Evaluation {
    /// Whether nothing is to be done or written.
    pub fn is_idle(&self) -> bool {
        self.place.is_empty() && self.cancel.is_empty() && self.events.is_empty() && !self.changed
    }

    /// When this evaluation happened (events carry their own times).
    pub fn touch(&mut self) {
        self.changed = true;
    }
}
