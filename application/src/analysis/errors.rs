//! Why a read of a context's signals failed.

use crate::Unexpected;

/// Why a context's signals could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// No such context for this user (another user's context is not found either).
    #[error("context not found")]
    ContextNotFound,
    /// A store or internal failure.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(AnalysisError);
