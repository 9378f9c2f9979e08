//! Trading contexts: a user's market (base asset, quote asset, exchange) in live or paper mode.
//! Orders, positions, P&L and history always carry their context and are queried by it. The
//! `candle_analysis` workflow records signals per context ([`ContextSignal`], [`analysis`]).

pub mod analysis;
mod context;
mod ports;
mod signal;

pub use context::{ContextMode, ContextStatus, TradingContext, UnknownContextMode};
pub use ports::{ContextRepository, ContextSignalRepository};
pub use signal::ContextSignal;

#[cfg(feature = "mocks")]
pub use ports::{MockContextRepository, MockContextSignalRepository};
