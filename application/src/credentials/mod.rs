//! Exchange-credential use cases: store (encrypted), list, remove. One use case per file.

mod add;
mod errors;
mod list;
mod remove;
mod validate;

use std::sync::Arc;

use domain::credentials::{CredentialRepository, CredentialStatus, ExchangeCredential, ExchangeId, SecretCipher};
use domain::identity::{AuditAction, AuditEntry, AuditRepository, RequestMeta};
use domain::shared::ids::{AuditId, CredentialId, UserId};
use domain::Clock;
use time::OffsetDateTime;

pub use add::{secret_field_errors, AddCredentialInput};
pub use errors::CredentialError;
pub use validate::WITHDRAWAL_REASON;

/// The ports credential use cases need.
#[derive(Clone)]
pub struct CredentialPorts {
    /// Credentials.
    pub credentials: Arc<dyn CredentialRepository>,
    /// Encryption at rest.
    pub cipher: Arc<dyn SecretCipher>,
    /// Audit log.
    pub audit: Arc<dyn AuditRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Exchanges, to validate keys.
    pub exchanges: Arc<crate::exchanges::ExchangeDirectory>,
}

impl std::fmt::Debug for CredentialPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialPorts").finish_non_exhaustive()
    }
}

/// What may be shown of a credential: never the secret, never the whole key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialView {
    /// Id.
    pub id: CredentialId,
    /// Exchange.
    pub exchange: ExchangeId,
    /// Last four characters of the API key.
    pub key_last4: String,
    /// Test network key.
    pub testnet: bool,
    /// Validation state.
    pub status: CredentialStatus,
    /// Why it is invalid, when known.
    pub status_reason: Option<String>,
    /// When it was last validated.
    pub validated_at: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl From<&ExchangeCredential> for CredentialView {
    fn from(c: &ExchangeCredential) -> Self {
        Self {
            id: c.id,
            exchange: c.exchange,
            key_last4: c.key_last4.as_str().to_owned(),
            testnet: c.testnet,
            status: c.status,
            status_reason: c.status_reason.clone(),
            validated_at: c.validated_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Exchange credentials of users.
#[derive(Debug)]
pub struct CredentialService {
    ports: CredentialPorts,
}

impl CredentialService {
    /// A service over `ports`.
    pub fn new(ports: CredentialPorts) -> Self {
        Self { ports }
    }

    async fn audit(&self, user_id: UserId, action: AuditAction, meta: &RequestMeta, detail: String) {
        let entry = AuditEntry {
            id: AuditId::new(),
            user_id: Some(user_id),
            action,
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            detail: Some(detail),
            at: self.ports.clock.now(),
        };
        if let Err(err) = self.ports.audit.append(&entry).await {
            tracing::error!(error = ?err, action = ?action, "audit log append failed");
        }
    }
}

/// The decrypted key and secret of `credential`, for one exchange call.
pub fn decrypt(
    cipher: &dyn SecretCipher,
    credential: &ExchangeCredential,
) -> Result<domain::exchange::ApiCredentials, crate::Unexpected> {
    // Each value stays a `Secret` from the cipher's output to the adapter's HMAC or header.
    let open = |v| cipher.decrypt(v).map_err(crate::Unexpected::Internal);
    Ok(domain::exchange::ApiCredentials {
        api_key: open(&credential.api_key)?,
        api_secret: open(&credential.api_secret)?,
        testnet: credential.testnet,
    })
}
