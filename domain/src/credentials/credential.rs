//! The exchange-credential aggregate.

use crate::notifications::Outbox;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::exchange::ExchangeId;
use crate::shared::ids::{CredentialId, UserId};

/// A value encrypted at rest (AES-256-GCM in production). Opaque to the domain.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedValue {
    /// Which key encrypted it, so keys can rotate.
    pub key_id: String,
    /// Base64 of the 96-bit nonce.
    pub nonce: String,
    /// Base64 of ciphertext plus tag.
    pub ciphertext: String,
}

impl std::fmt::Debug for EncryptedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedValue").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

/// The last four characters of an API key: all that is ever shown of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyLast4(String);

impl ApiKeyLast4 {
    /// The last four characters of `api_key` (fewer if the key is shorter).
    pub fn of(api_key: &str) -> Self {
        let chars: Vec<char> = api_key.chars().collect();
        let start = chars.len().saturating_sub(4);
        Self(chars[start..].iter().collect())
    }

    /// Restores a stored value.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    /// The four characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the exchange accepted the credential the last time we asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Not checked against the exchange yet.
    Unverified,
    /// The exchange accepted it.
    Valid,
    /// The exchange refused it, or it has withdrawal rights.
    Invalid,
}

/// A user's API key and secret for one exchange. One per user and exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeCredential {
    /// Id.
    pub id: CredentialId,
    /// Owner.
    pub user_id: UserId,
    /// Exchange.
    pub exchange: ExchangeId,
    /// The API key, encrypted.
    pub api_key: EncryptedValue,
    /// The API secret, encrypted.
    pub api_secret: EncryptedValue,
    /// What may be shown of the key.
    pub key_last4: ApiKeyLast4,
    /// Whether the key belongs to the exchange's test network.
    pub testnet: bool,
    /// Last validation result.
    pub status: CredentialStatus,
    /// Why it is invalid (or a warning), when known.
    pub status_reason: Option<String>,
    /// When it was last validated.
    pub validated_at: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Events its changes raised, not relayed to its owner's event log yet (stored with it).
    pub outbox: Outbox,
    /// Optimistic-concurrency version.
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last4() {
        assert_eq!(ApiKeyLast4::of("abcdefgh").as_str(), "efgh");
        assert_eq!(ApiKeyLast4::of("ab").as_str(), "ab");
    }
}
