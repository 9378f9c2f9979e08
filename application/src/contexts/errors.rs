//! The failures of opening a trading context, in their own terms. `api` maps each variant to
//! its problem code in one place (`api/src/error/map`).

use domain::exchange::ExchangeId;

use crate::subscriptions::AccessDenied;
use crate::{FieldError, Unexpected};

/// Why a trading context cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum CreateContextError {
    /// Fields break the rules (also a pair the exchange does not list or does not trade now).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// Live mode needs a credential for the exchange that is not invalid.
    #[error(
        "a live context on {exchange} needs a {exchange} credential that is not invalid; add one or use paper mode"
    )]
    CredentialRequired {
        /// The exchange.
        exchange: ExchangeId,
    },
    /// The subscription does not allow another context.
    #[error(transparent)]
    Access(#[from] AccessDenied),
    /// The user already has a context for this pair on this exchange.
    #[error("you already have a {symbol} context on {exchange}")]
    Exists {
        /// The exchange.
        exchange: ExchangeId,
        /// The pair.
        symbol: String,
    },
    /// The exchange refused the stored credential.
    #[error("the exchange refused the stored credential; validate or replace it")]
    CredentialRejected,
    /// The exchange is not set up in this mode here, or cannot be reached now.
    #[error("{0}")]
    ExchangeUnavailable(String),
    /// Live trading needs a verified e-mail address.
    #[error("live trading needs a verified e-mail address; follow the link we sent, or ask for a new one")]
    EmailUnverified,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(CreateContextError);

impl From<crate::identity::EmailGateError> for CreateContextError {
    fn from(err: crate::identity::EmailGateError) -> Self {
        match err {
            crate::identity::EmailGateError::Unverified => Self::EmailUnverified,
            crate::identity::EmailGateError::Unexpected(err) => Self::Unexpected(err),
        }
    }
}

/// Why a context cannot be read, deleted, or reach its exchange account (the engine shares
/// these reads).
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The owner has no such context (also another user's).
    #[error("context not found")]
    NotFound,
    /// Bots in it are running.
    #[error("{running} bot(s) are running in this context; stop them first")]
    InUse {
        /// How many.
        running: u64,
    },
    /// A live context has no credential for its exchange.
    #[error("no {exchange} credential is stored")]
    CredentialRequired {
        /// The exchange.
        exchange: ExchangeId,
    },
    /// The exchange refused the stored credential.
    #[error("the exchange refused the stored credential; validate or replace it")]
    CredentialRejected,
    /// The exchange refused a field of the request (a pair it does not list).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The exchange is not set up here, or cannot be reached now.
    #[error("{0}")]
    ExchangeUnavailable(String),
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(ContextError);

impl From<crate::exchanges::ExchangeFailure> for ContextError {
    /// An exchange's failure while reading a balance.
    fn from(err: crate::exchanges::ExchangeFailure) -> Self {
        use crate::exchanges::ExchangeFailure as F;
        match err {
            F::Invalid(errors) => ContextError::Invalid(errors),
            F::CredentialRejected => ContextError::CredentialRejected,
            F::OrderNotFound => domain::RepoError::NotFound.into(),
            other => ContextError::ExchangeUnavailable(other.to_string()),
        }
    }
}

impl From<crate::exchanges::ExchangeFailure> for CreateContextError {
    /// An exchange's failure while checking the pair.
    fn from(err: crate::exchanges::ExchangeFailure) -> Self {
        use crate::exchanges::ExchangeFailure as F;
        match err {
            F::Invalid(errors) => CreateContextError::Invalid(errors),
            F::CredentialRejected => CreateContextError::CredentialRejected,
            F::OrderNotFound => domain::RepoError::NotFound.into(),
            other => CreateContextError::ExchangeUnavailable(other.to_string()),
        }
    }
}
