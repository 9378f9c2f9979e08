//! Trading bots.

mod circuit_breaker;
mod funds;
mod kind;

pub use circuit_breaker::{
    BreakerConfigError, BreakerLimits, BreakerPreset, CircuitBreaker, TradeResult, Trip, TripReason, DAILY_WINDOW,
};
pub use funds::{FeeAsset, Funds, FundsError};
pub use kind::{BotKind, UnknownBotKind};
