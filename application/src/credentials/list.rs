//! Use case: list one's credentials (metadata only).

use domain::shared::ids::{CredentialId, UserId};
use domain::{Page, PageRequest, RepoError};

use super::CredentialError;
use super::{CredentialService, CredentialView};

impl CredentialService {
    /// The owner's credentials, oldest first.
    pub async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<CredentialView>, CredentialError> {
        Ok(self.ports.credentials.list(owner, None, page).await?.map(|c| CredentialView::from(&c)))
    }

    /// One of the owner's credentials. Another user's id is `NotFound`.
    pub async fn get(&self, owner: UserId, id: CredentialId) -> Result<CredentialView, CredentialError> {
        match self.ports.credentials.get(owner, id).await {
            Ok(c) => Ok(CredentialView::from(&c)),
            Err(RepoError::NotFound) => Err(CredentialError::NotFound),
            Err(err) => Err(err.into()),
        }
    }
}
