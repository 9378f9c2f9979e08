//! Use case: store an exchange API key and secret, encrypted.

use domain::credentials::{ApiKeyLast4, CredentialStatus, ExchangeCredential, ExchangeId};
use domain::identity::{AuditAction, RequestMeta};
use domain::shared::clock::to_millis;
use domain::shared::ids::{CredentialId, UserId};
use domain::shared::secret::Secret;
use domain::RepoError;

use super::validate::{Verdict, WITHDRAWAL_REASON};
use super::CredentialError;
use super::{CredentialService, CredentialView};
use crate::FieldError;

/// A new credential as submitted. `Debug` prints `[REDACTED]` for the key and the secret.
#[derive(Clone, Debug)]
pub struct AddCredentialInput {
    /// The exchange.
    pub exchange: ExchangeId,
    /// API key.
    pub api_key: Secret,
    /// API secret.
    pub api_secret: Secret,
    /// Whether the key is for the exchange's test network.
    pub testnet: bool,
}

fn check_secret_field(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    // Characters, as the message and the spec say (a byte count refused 256 accented characters).
    let length = value.chars().count();
    if length < 8 || length > max {
        errors.push(FieldError::new(field, crate::FieldCode::InvalidLength, format!("must be 8 to {max} characters")));
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        errors.push(FieldError::new(
            field,
            crate::FieldCode::Malformed,
            "must not contain spaces or control characters",
        ));
    }
}

/// The refusals of a key and a secret (lengths in characters, no spaces or control characters),
/// each naming its field; empty when both are acceptable. The handler names them beside a
/// malformed `exchange`, in the same answer.
pub fn secret_field_errors(api_key: &str, api_secret: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_secret_field(&mut errors, "api_key", api_key, 256);
    check_secret_field(&mut errors, "api_secret", api_secret, 512);
    errors
}

impl CredentialService {
    /// Validates a credential with its exchange and stores it, encrypted: `valid` or `invalid`
    /// with the reason, or `unverified` when the exchange cannot be reached now. A key the
    /// exchange reports as able to withdraw is refused and not stored.
    /// Errors: `Invalid` (also `withdrawal_enabled` on `api_key`), `Exists`.
    pub async fn add(
        &self,
        owner: UserId,
        input: AddCredentialInput,
        meta: &RequestMeta,
    ) -> Result<CredentialView, CredentialError> {
        let errors = secret_field_errors(input.api_key.expose(), input.api_secret.expose());
        if !errors.is_empty() {
            return Err(CredentialError::Invalid(errors));
        }
        let exchange = input.exchange;
        if self.ports.credentials.find_for_exchange(owner, exchange).await?.is_some() {
            return Err(CredentialError::Exists { exchange });
        }
        let now = to_millis(self.ports.clock.now());
        let credential = ExchangeCredential {
            id: CredentialId::new(),
            user_id: owner,
            exchange,
            api_key: self.ports.cipher.encrypt(&input.api_key)?,
            api_secret: self.ports.cipher.encrypt(&input.api_secret)?,
            key_last4: ApiKeyLast4::of(input.api_key.expose()),
            testnet: input.testnet,
            status: CredentialStatus::Unverified,
            status_reason: None,
            validated_at: None,
            created_at: now,
            updated_at: now,
            outbox: Default::default(),
            version: 0,
        };
        let creds = domain::exchange::ApiCredentials {
            api_key: input.api_key,
            api_secret: input.api_secret,
            testnet: input.testnet,
        };
        let verdict = self.ask(&credential, &creds).await;
        if verdict == Verdict::Decided(CredentialStatus::Invalid, Some(WITHDRAWAL_REASON.into())) {
            return Err(CredentialError::Invalid(vec![FieldError::new(
                "api_key",
                crate::FieldCode::WithdrawalEnabled,
                WITHDRAWAL_REASON,
            )]));
        }
        let stored = self.ports.credentials.create(&credential).await.map_err(|err| match err {
            RepoError::Duplicate { .. } => CredentialError::Exists { exchange },
            other => other.into(),
        })?;
        let stored = self.record(stored, verdict).await?;
        self.audit(owner, AuditAction::CredentialAdded, meta, format!("exchange={exchange}")).await;
        Ok(CredentialView::from(&stored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(value: &str, max: usize) -> Vec<String> {
        let mut errors = Vec::new();
        check_secret_field(&mut errors, "api_key", value, max);
        errors.into_iter().map(|e| e.code.as_str().to_owned()).collect()
    }

    #[test]
    fn debug_redacts_the_key_and_the_secret() {
        let input = AddCredentialInput {
            exchange: ExchangeId::Binance,
            api_key: Secret::new("key-K3Y-1234"),
            api_secret: Secret::new("S3CR3T-5678"),
            testnet: false,
        };
        let shown = format!("{input:?}");
        assert!(!shown.contains("K3Y") && !shown.contains("S3CR3T") && shown.contains("Binance"), "{shown}");
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        // 8 characters of 2 bytes each are 8 characters, as the spec's minLength counts them.
        assert!(codes("éééééééé", 256).is_empty());
        assert_eq!(codes("éééé", 256), ["invalid_length"]);
        assert!(codes(&"é".repeat(256), 256).is_empty());
        assert_eq!(codes(&"é".repeat(257), 256), ["invalid_length"]);
        assert_eq!(codes("abcd efgh", 256), ["malformed"]);
    }
}
