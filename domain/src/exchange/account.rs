//! Account-level types: the credentials a call is made with, balances, key permissions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Decrypted API credentials, passed per call (adapters are shared by every user and keep no
/// user's secret). `Debug` shows neither the key nor the secret.
#[derive(Clone)]
pub struct ApiCredentials {
    /// API key (Binance `X-MBX-APIKEY`; Mercado Bitcoin client id / login).
    pub api_key: String,
    /// API secret.
    pub api_secret: String,
    /// Use the exchange's test network.
    pub testnet: bool,
}

impl std::fmt::Debug for ApiCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiCredentials").field("testnet", &self.testnet).finish_non_exhaustive()
    }
}

/// One asset's balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Asset code (`BTC`, `BRL`).
    pub asset: String,
    /// Available.
    pub free: Decimal,
    /// Held in open orders.
    pub locked: Decimal,
}

/// What the exchange says about a key, for credential validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// The key may place orders.
    pub can_trade: bool,
    /// The key may withdraw funds; `None` when the exchange does not tell.
    pub can_withdraw: Option<bool>,
}
