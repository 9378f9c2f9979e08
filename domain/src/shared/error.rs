//! The error every repository port returns.

/// What a repository adapter reports. Every adapter of a port must map its storage errors onto
/// these variants exactly, so use cases behave the same on every store.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// No document with that id (or not visible to that owner).
    #[error("not found")]
    NotFound,
    /// An optimistic-concurrency check failed: the stored `version` is not the one the caller read.
    #[error("stale version: the record was changed by someone else")]
    Conflict,
    /// A unique index refused the write. `index` names the index (e.g. `users_email`).
    #[error("duplicate value for unique index `{index}`")]
    Duplicate {
        /// The name of the unique index that was violated.
        index: String,
    },
    /// The store could not be reached or failed; the cause is for logs, never for clients.
    #[error("store unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl RepoError {
    /// Wraps any storage failure as [`RepoError::Unavailable`].
    pub fn unavailable(err: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable(err.into())
    }
}
