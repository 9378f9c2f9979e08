//! A context signal: the `candle_analysis` workflow's analysis of one closed candle of a
//! context's market, recorded once per (context, timeframe, candle).

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::TradingContext;
use crate::exchange::ExchangeId;
use crate::market::{Symbol, Timeframe};
use crate::shared::clock::to_millis;
use crate::shared::ids::{ContextId, ContextSignalId, UserId};
use crate::signals::{Analysis, Confidence, Signal};

/// One recorded analysis of a context's market.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextSignal {
    /// Id (time-sortable).
    pub id: ContextSignalId,
    /// The context.
    pub context_id: ContextId,
    /// Its owner.
    pub user_id: UserId,
    /// The context's exchange.
    pub exchange: ExchangeId,
    /// The context's market.
    pub symbol: Symbol,
    /// The candles analysed.
    pub timeframe: Timeframe,
    /// Open time of the closed candle analysed (the last of the window).
    pub candle_time: OffsetDateTime,
    /// That candle's close.
    pub close: Decimal,
    /// The action (BUY, SELL or HOLD), its confidence, each indicator's vote and values.
    pub analysis: Analysis,
    /// When it was recorded.
    pub created_at: OffsetDateTime,
}

impl ContextSignal {
    /// The record of `analysis` (of `timeframe` candles, the last closing at `close`) for
    /// `context`, made at `at`. Instants are kept to the millisecond, as stores keep them.
    pub fn new(
        context: &TradingContext,
        timeframe: Timeframe,
        analysis: Analysis,
        close: Decimal,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            id: ContextSignalId::new(),
            context_id: context.id,
            user_id: context.user_id,
            exchange: context.exchange,
            symbol: context.symbol(),
            timeframe,
            candle_time: to_millis(analysis.candle_time),
            close,
            analysis: Analysis { candle_time: to_millis(analysis.candle_time), ..analysis },
            created_at: to_millis(at),
        }
    }

    /// The action: BUY, SELL or HOLD.
    pub fn action(&self) -> Signal {
        self.analysis.signal
    }

    /// How strongly the indicators agree on it.
    pub fn confidence(&self) -> Confidence {
        self.analysis.confidence
    }
}
