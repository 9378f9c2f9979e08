//! A user's data version: a counter that moves after every stored change that may move a figure
//! the read models cache per user (the dashboard's summary, performance series and metrics): a
//! bot created, changed (books, status, configuration) or deleted, an order placed or changed
//! (a fill, an answer, an end), a context created, changed or deleted, a closed position
//! recorded. A cached value is kept with the version read before its computation began and is
//! served only while the stored version is still that one: so a change stored by any process on
//! the same store is seen by every process's caches on their next read, not after their TTL.
//!
//! The version is a hint for caches, never a figure: a lost bump (a process that dies between
//! its write and the bump, a store error) costs at most the caches' TTL, never a wrong record.

use async_trait::async_trait;

use super::error::RepoError;
use super::ids::UserId;

/// The users' data versions (collection `data_versions`, one small document per user).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait DataVersionRepository: Send + Sync {
    /// `user`'s current version: 0 before any change was stored; strictly increasing after.
    async fn current(&self, user: UserId) -> Result<u64, RepoError>;

    /// Moves `user`'s version on, after a change to their data was stored.
    async fn bump(&self, user: UserId) -> Result<(), RepoError>;

    /// Erases `user`'s version (account deletion, the last step once nothing writes their data
    /// any more); nothing to erase is not an error. A later bump would start it again from 0.
    async fn erase(&self, user: UserId) -> Result<(), RepoError>;
}
