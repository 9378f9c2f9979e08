//! The paper exchange: a deterministic simulation of one exchange (Binance or Mercado Bitcoin)
//! that the default server trades on, without any network, and that paper contexts and backtests
//! use.
//!
//! - Prices replay real hourly BTC-USD candles embedded in the binary ([`replay`]), converted to BRL
//!   by a configurable factor; ETH follows BTC times a seeded ratio ([`path`]). Time comes from an
//!   injected [`domain::Clock`], so tests and backtests run as fast as they like.
//! - Tickers, order books and candles of every supported timeframe derive from that one path
//!   ([`prices`], [`quotes`], [`candles`]).
//! - Accounts (one per API key) fill market orders at once with slippage and fees, and rest limit
//!   orders until the price reaches them ([`account`]); they persist in a `DocumentStore` ([`store`]).
//!
//! docs/exchanges/paper.md describes the model and its `BOTFLEET_PAPER_*` settings.

mod account;
mod candles;
mod config;
mod gateway;
mod markets;
mod order;
mod path;
mod prices;
mod quotes;
mod replay;
mod rng;
mod store;

#[cfg(test)]
mod account_tests;

pub use config::{PaperConfig, PaperConfigError};
pub use gateway::PaperExchange;
pub use store::{ACCOUNTS as ACCOUNTS_COLLECTION, ORDERS as ORDERS_COLLECTION};
