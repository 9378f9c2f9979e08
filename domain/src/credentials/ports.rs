//! Ports of the credentials aggregate.

use async_trait::async_trait;

use super::{EncryptedValue, ExchangeCredential, ExchangeId};
use crate::shared::error::RepoError;
use crate::shared::ids::{CredentialId, UserId};
use crate::shared::page::{Page, PageRequest};
use crate::shared::secret::Secret;

/// Stores credentials. Unique index `credentials_user_exchange` on (user, exchange).
/// Every read takes the owner: another user's id is `NotFound`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CredentialRepository: Send + Sync {
    /// Inserts. Errors: `Duplicate { index: "credentials_user_exchange" }`.
    async fn create(&self, credential: &ExchangeCredential) -> Result<ExchangeCredential, RepoError>;
    /// The owner's credential with that id. Errors: `NotFound` (also for another owner's id).
    async fn get(&self, owner: UserId, id: CredentialId) -> Result<ExchangeCredential, RepoError>;
    /// The owner's credential for that exchange, if any.
    async fn find_for_exchange(
        &self,
        owner: UserId,
        exchange: ExchangeId,
    ) -> Result<Option<ExchangeCredential>, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, credential: &ExchangeCredential) -> Result<ExchangeCredential, RepoError>;
    /// Deletes the owner's credential. Errors: `NotFound`.
    async fn delete(&self, owner: UserId, id: CredentialId) -> Result<(), RepoError>;
    /// The owner's credentials, oldest first, optionally for one exchange.
    async fn list(
        &self,
        owner: UserId,
        exchange: Option<ExchangeId>,
        page: PageRequest,
    ) -> Result<Page<ExchangeCredential>, RepoError>;
    /// Every user's credentials, oldest first (for the revalidation job).
    async fn list_all(&self, page: PageRequest) -> Result<Page<ExchangeCredential>, RepoError>;
}

/// Encrypts secrets at rest (AES-256-GCM with key ids in production).
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait SecretCipher: Send + Sync {
    /// Encrypts `plaintext` with the current key and a fresh nonce.
    fn encrypt(&self, plaintext: &Secret) -> anyhow::Result<EncryptedValue>;
    /// Decrypts with the key named in `value`. Errors when the key is unknown or the value was tampered with.
    fn decrypt(&self, value: &EncryptedValue) -> anyhow::Result<Secret>;
}
