//! Orders: what we asked an exchange to do and why, stored locally before they are sent and kept
//! in step with the exchange's reports, so history reads without the exchange.

mod creation;
mod forget;
mod notify;
mod order;
mod ports;
mod status;
mod sync;

#[cfg(test)]
mod fixtures;

pub use creation::{CreationContext, MarketConditions};
pub use order::{NewOrder, NewOrderError, Order, OrderFill};
pub use ports::{OrderFilter, OrderRepository};
pub use status::{FinalStatus, OrderStatus, StrategySource, UnknownOrderStatus, UnknownStrategySource};
pub use sync::{OrderDelta, SyncError, MAX_ERROR_LEN};
