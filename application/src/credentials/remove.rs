//! Use case: delete one of one's credentials.

use domain::identity::{AuditAction, RequestMeta};
use domain::shared::ids::{CredentialId, UserId};
use domain::RepoError;

use super::CredentialError;
use super::CredentialService;

impl CredentialService {
    /// Deletes the owner's credential. Another user's id is `NotFound`.
    pub async fn remove(&self, owner: UserId, id: CredentialId, meta: &RequestMeta) -> Result<(), CredentialError> {
        let credential = match self.ports.credentials.get(owner, id).await {
            Ok(c) => c,
            Err(RepoError::NotFound) => return Err(CredentialError::NotFound),
            Err(err) => return Err(err.into()),
        };
        match self.ports.credentials.delete(owner, id).await {
            Ok(()) | Err(RepoError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
        self.audit(owner, AuditAction::CredentialRemoved, meta, format!("exchange={}", credential.exchange)).await;
        Ok(())
    }
}
