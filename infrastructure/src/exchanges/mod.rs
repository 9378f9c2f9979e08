//! Exchange adapters: one module per exchange, each implementing `domain::exchange::ExchangeGateway`.

pub mod binance;
pub mod market_cache;
pub mod mercado_bitcoin;
pub mod paper;
pub mod resilient;
