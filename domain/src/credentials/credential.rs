//! The exchange-credential aggregate.

use crate::notifications::{CredentialData, Event, EventPayload, Outbox};
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

impl ExchangeCredential {
    /// Records what the exchange said of it at `at`: `status` with its `reason` (never a secret).
    /// Turning invalid raises `credential.invalid` into its outbox; a credential already invalid
    /// raises nothing again.
    pub fn record_validation(&mut self, status: CredentialStatus, reason: Option<String>, at: OffsetDateTime) {
        if status == CredentialStatus::Invalid && self.status != CredentialStatus::Invalid {
            let data = CredentialData {
                credential_id: self.id,
                exchange: self.exchange,
                reason: reason.clone().unwrap_or_else(|| "the exchange refused the key".to_owned()),
            };
            self.outbox.raise(Event::new(self.user_id, EventPayload::CredentialInvalid(data), at));
        }
        self.status = status;
        self.status_reason = reason;
        self.validated_at = Some(at);
        self.updated_at = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(status: CredentialStatus) -> ExchangeCredential {
        let sealed = || EncryptedValue { key_id: "k1".into(), nonce: "n".into(), ciphertext: "c".into() };
        let at = time::macros::datetime!(2026-12-01 00:00 UTC);
        ExchangeCredential {
            id: CredentialId::new(),
            user_id: UserId::new(),
            exchange: ExchangeId::Binance,
            api_key: sealed(),
            api_secret: sealed(),
            key_last4: ApiKeyLast4::of("abcd"),
            testnet: false,
            status,
            status_reason: None,
            validated_at: None,
            created_at: at,
            updated_at: at,
            outbox: Outbox::default(),
            version: 0,
        }
    }

    #[test]
    fn turning_invalid_raises_credential_invalid_once_with_the_reason() {
        let at = time::macros::datetime!(2026-12-04 10:00 UTC);
        let mut c = credential(CredentialStatus::Valid);
        c.record_validation(CredentialStatus::Valid, None, at);
        assert!(c.outbox.is_empty(), "still valid: nothing to tell");
        c.record_validation(CredentialStatus::Invalid, Some("the exchange refused the key".into()), at);
        c.record_validation(CredentialStatus::Invalid, Some("the exchange refused the key".into()), at);

        assert_eq!(c.outbox.len(), 1);
        let event = &c.outbox.events()[0];
        let EventPayload::CredentialInvalid(data) = &event.payload else { panic!("{event:?}") };
        assert_eq!(
            (data.credential_id, data.exchange, data.reason.as_str()),
            (c.id, ExchangeId::Binance, "the exchange refused the key")
        );
        assert_eq!((event.user_id, c.status, c.validated_at), (c.user_id, CredentialStatus::Invalid, Some(at)));
        let wire = serde_json::to_string(event).unwrap();
        assert!(!wire.contains("ciphertext") && !wire.contains("abcd"), "no secret on the wire: {wire}");
    }

    #[test]
    fn an_unverified_key_found_invalid_raises_and_a_valid_one_found_valid_does_not() {
        let at = time::macros::datetime!(2026-12-04 10:00 UTC);
        let mut fresh = credential(CredentialStatus::Unverified);
        fresh.record_validation(CredentialStatus::Invalid, None, at);
        let mut fine = credential(CredentialStatus::Unverified);
        fine.record_validation(CredentialStatus::Valid, None, at);
        assert_eq!((fresh.outbox.len(), fine.outbox.len()), (1, 0));
    }

    #[test]
    fn last4() {
        assert_eq!(ApiKeyLast4::of("abcdefgh").as_str(), "efgh");
        assert_eq!(ApiKeyLast4::of("ab").as_str(), "ab");
    }
}
