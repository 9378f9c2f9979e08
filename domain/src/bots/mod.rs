//! Trading bots.

mod circuit_breaker;
mod funds;
mod kind;
mod risk;

pub use circuit_breaker::{
    BreakerConfigError, BreakerLimits, BreakerPreset, CircuitBreaker, TradeResult, Trip, TripReason, DAILY_WINDOW,
};
pub use funds::{FeeAsset, Funds, FundsError};
pub use kind::{BotKind, UnknownBotKind};
pub use risk::{AdaptiveSell, RiskAction, RiskConfig, TrailingState, TrailingStop};
