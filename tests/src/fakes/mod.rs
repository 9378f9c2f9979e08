//! Stateful fakes of the exchanges' HTTP APIs (wiremock servers), for the exchange contract suite.

pub mod binance;
pub mod mercado_bitcoin;
