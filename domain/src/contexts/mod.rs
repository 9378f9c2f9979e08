//! Trading contexts: a user's market (base asset, quote asset, exchange) in live or paper mode.
//! Orders, positions, P&L and history always carry their context and are queried by it.

mod context;
mod ports;

pub use context::{ContextMode, ContextStatus, TradingContext, UnknownContextMode};
pub use ports::ContextRepository;
