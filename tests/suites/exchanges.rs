//! Test binary `exchanges`: The exchange adapters against their strict fakes, and the paper exchange.
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/exchange_binance.rs"]
mod exchange_binance;
#[path = "../tests/exchange_mercado_bitcoin.rs"]
mod exchange_mercado_bitcoin;
#[path = "../tests/exchange_mercado_bitcoin_candles.rs"]
mod exchange_mercado_bitcoin_candles;
#[path = "../tests/exchange_paper.rs"]
mod exchange_paper;
