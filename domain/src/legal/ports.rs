//! The port of the consent history.

use async_trait::async_trait;

use super::ConsentRecord;
use crate::shared::error::RepoError;
use crate::shared::ids::UserId;
use crate::shared::page::{Page, PageRequest};

/// Stores consent history entries (collection `consents`). Append-only: entries are never
/// changed, and deleting an account deletes none of them.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ConsentRepository: Send + Sync {
    /// Appends an entry. Errors: `Duplicate { index: "_id" }` when its id is taken.
    async fn append(&self, record: &ConsentRecord) -> Result<(), RepoError>;
    /// The user's newest entry, if any.
    async fn latest(&self, user: UserId) -> Result<Option<ConsentRecord>, RepoError>;
    /// The user's entries, newest first (ties by id, descending), paged with the total.
    async fn history(&self, user: UserId, page: PageRequest) -> Result<Page<ConsentRecord>, RepoError>;
}
