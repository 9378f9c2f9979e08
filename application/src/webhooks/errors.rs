//! The failures of the webhook use cases, in their own terms. `api` maps each variant to its
//! problem code in one place (`api/src/error/map`).

use crate::{FieldError, Unexpected};

/// Why an endpoint or a delivery cannot be registered, read, changed or redelivered.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Fields break the rules (also a URL that leads to a private address, on `url`).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// No such endpoint or delivery for this user.
    #[error("webhook endpoint or delivery not found")]
    NotFound,
    /// The account has as many endpoints as it may.
    #[error("an account may register at most {limit} webhook endpoints; delete one first")]
    LimitReached {
        /// The limit.
        limit: u64,
    },
    /// The endpoint is disabled: enable it before redelivering to it.
    #[error("the webhook endpoint is disabled; enable it (PATCH enabled=true) before redelivering")]
    EndpointDisabled,
    /// The store, the cipher or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(WebhookError);

impl WebhookError {
    /// `NotFound` for a missing record, any other store failure as it is.
    pub(crate) fn from_lookup(err: domain::RepoError) -> Self {
        match err {
            domain::RepoError::NotFound => WebhookError::NotFound,
            other => other.into(),
        }
    }
}
