//! Trading bots: the aggregate, its kinds' strategies, risk rules, circuit breaker and books.
//! Pure and deterministic: the engine passes the market and the time in and places what comes out.

mod bot;
mod candle;
mod channel;
mod channel_window;
mod circuit_breaker;
mod config;
pub(crate) mod config_tagged;
mod dca;
mod entries;
mod exits;
mod fills;
mod funds;
mod intent;
mod kind;
mod manual;
mod notify;
mod ports;
mod position;
mod risk;
mod schedule;
mod smart;
mod state;
mod status;

pub use bot::{Bot, BotError, PendingOrder};
pub use candle::{CandleConfig, CandleState, SignalRecord};
pub use channel::{ChannelConfig, ChannelState};
pub use channel_window::{window_channel, Capital, CapitalBase, ChannelWindow, LOOKBACK};
pub use circuit_breaker::{
    BreakerConfigError, BreakerLimits, BreakerPreset, CircuitBreaker, TradeResult, Trip, TripReason,
    BREAKER_OFF_CONSEQUENCE, DAILY_WINDOW,
};
pub use config::{validate_risk, BotConfig};
pub use dca::{DcaConfig, DcaExecution, DcaFrequency, DcaState};
pub use fills::OrderProgress;
pub use funds::{FeeAsset, Funds, FundsError};
pub use intent::{BotEvent, Evaluation, MarketView, OrderIntent, Phase, Purpose};
pub use kind::{BotKind, UnknownBotKind};
pub use manual::{ManualOrder, ManualRefused};
pub use ports::{BotFilter, BotRecord, BotRecordRepository, BotRepository, RecordFilter};
pub use position::{Dust, ExitReason, Position, PositionStatus};
pub use risk::{AdaptiveSell, RiskAction, RiskConfig, TrailingState, TrailingStop};
pub use schedule::CronSchedule;
pub use smart::{EntryOrderType, SmartConfig, SmartMode, SmartState};
pub use state::KindState;
pub use status::{BotStatus, Command, StatusChange, TransitionRefused, HISTORY_LIMIT};

#[cfg(test)]
mod bounds_props;
#[cfg(test)]
mod channel_tests;
#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod dust_tests;
#[cfg(test)]
mod paths_market;
#[cfg(test)]
mod paths_props;
#[cfg(test)]
mod scenario_tests;
#[cfg(test)]
mod sim_tests;
