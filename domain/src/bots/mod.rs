//! Trading bots.

mod circuit_breaker;
mod kind;

pub use circuit_breaker::{
    BreakerConfigError, BreakerLimits, BreakerPreset, CircuitBreaker, TradeResult, Trip, TripReason, DAILY_WINDOW,
};
pub use kind::{BotKind, UnknownBotKind};
