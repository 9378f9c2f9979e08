//! Account-level types: the credentials a call is made with, balances, key permissions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::shared::secret::Secret;

/// Decrypted API credentials, passed per call (adapters are shared by every user and keep no
/// user's secret). `Debug` shows neither the key nor the secret (both print `[REDACTED]`).
///
/// The key is a [`Secret`] too: it is half of what signs an order, Mercado Bitcoin uses it as a
/// login, and the API only ever shows its last four characters.
#[derive(Clone, Debug)]
pub struct ApiCredentials {
    /// API key (Binance `X-MBX-APIKEY`; Mercado Bitcoin client id / login).
    pub api_key: Secret,
    /// API secret (Binance HMAC key; Mercado Bitcoin client secret / password).
    pub api_secret: Secret,
    /// Use the exchange's test network.
    pub testnet: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_neither_the_key_nor_the_secret() {
        let creds = ApiCredentials {
            api_key: Secret::new("key-K3Y-1234"),
            api_secret: Secret::new("S3CR3T-5678"),
            testnet: true,
        };

        for shown in [format!("{creds:?}"), format!("{creds:#?}")] {
            assert!(!shown.contains("K3Y") && !shown.contains("1234"), "{shown}");
            assert!(!shown.contains("S3CR3T") && !shown.contains("5678"), "{shown}");
            assert!(shown.contains("api_secret: [REDACTED]") && shown.contains("testnet: true"), "{shown}");
        }
    }
}
