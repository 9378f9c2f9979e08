//! The exchanges botfleet can trade on.

use serde::{Deserialize, Serialize};

/// A supported exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeId {
    /// Binance spot (api.binance.com, v3).
    Binance,
    /// Mercado Bitcoin (api.mercadobitcoin.net, v4).
    MercadoBitcoin,
}

/// The name is not one of [`ExchangeId::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown exchange `{0}`; expected one of: binance, mercado_bitcoin")]
pub struct UnknownExchange(pub String);

impl ExchangeId {
    /// Every supported exchange.
    pub const ALL: [ExchangeId; 2] = [ExchangeId::Binance, ExchangeId::MercadoBitcoin];

    /// The wire name (`binance`, `mercado_bitcoin`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeId::Binance => "binance",
            ExchangeId::MercadoBitcoin => "mercado_bitcoin",
        }
    }
}

impl std::str::FromStr for ExchangeId {
    type Err = UnknownExchange;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|e| e.as_str() == s).ok_or_else(|| UnknownExchange(s.to_owned()))
    }
}

impl std::fmt::Display for ExchangeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
