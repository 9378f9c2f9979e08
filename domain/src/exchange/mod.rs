//! The exchange port: what botfleet needs from an exchange, in normalised types. Adapters
//! (Binance, Mercado Bitcoin, the paper exchange) implement [`ExchangeGateway`].

mod account;
mod error;
mod id;
mod order;
mod ports;

pub use account::{AccountInfo, ApiCredentials, Balance};
pub use error::ExchangeError;
pub use id::{ExchangeId, UnknownExchange};
pub use order::{
    ClientOrderId, ExchangeOrder, ExchangeOrderStatus, Fill, OrderKind, OrderRef, OrderRequest, OrderSide, OrderSize,
    OrderType,
};
pub use ports::ExchangeGateway;

#[cfg(feature = "mocks")]
pub use ports::MockExchangeGateway;
