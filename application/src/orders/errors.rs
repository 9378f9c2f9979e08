//! The failures of the order use cases (list, read, place, cancel), in their own terms. `api`
//! maps each variant to its problem code in one place (`api/src/error/map`).

use domain::orders::OrderStatus;

use super::MAX_IDEMPOTENCY_KEY_LEN;
use crate::contexts::ContextError;
use crate::{AppError, FieldError, Unexpected};

/// Why an order cannot be listed, read, placed or cancelled.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// Fields break the rules, each named (a filter, the order's shape, the market's filters,
    /// the free balance).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The `Idempotency-Key` is empty, too long or not printable ASCII.
    #[error("the Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} printable ASCII characters without spaces")]
    InvalidIdempotencyKey,
    /// The owner has no such context (also another user's, or a malformed id).
    #[error("context not found")]
    ContextNotFound,
    /// The owner has no such order (also another user's, or a malformed id).
    #[error("order not found")]
    NotFound,
    /// The context is paused; nothing is placed in it.
    #[error("the context is paused: {reason}")]
    ContextPaused {
        /// Why it was paused.
        reason: String,
    },
    /// The market is not trading now.
    #[error("{symbol} is not trading now")]
    MarketClosed {
        /// The pair.
        symbol: String,
    },
    /// The `Idempotency-Key` already placed a different order.
    #[error("this Idempotency-Key already placed a different order; use a new key for a new order")]
    IdempotencyKeyReused,
    /// The order already ended; only open orders can be cancelled.
    #[error("the order is already {}; only open orders can be cancelled", status.as_str())]
    Final {
        /// Where it ended.
        status: OrderStatus,
    },
    /// The exchange has not acknowledged the order yet.
    #[error("the exchange has not acknowledged this order yet; sync resolves it shortly, then retry")]
    Pending,
    /// The exchange did not confirm the cancellation.
    #[error("the exchange did not confirm the cancellation; sync settles the order, read it again shortly")]
    CancelUnconfirmed,
    /// The engine is acting on the order's bot right now.
    #[error("{0}")]
    BotBusy(String),
    /// A live context has no usable credential for its exchange.
    #[error("{0}")]
    CredentialRequired(String),
    /// The exchange refused the stored credential.
    #[error("the exchange refused the stored credential; validate or replace it")]
    CredentialRejected,
    /// The exchange is not set up here, or cannot be reached now.
    #[error("{0}")]
    ExchangeUnavailable(String),
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(OrderError);

impl From<ContextError> for OrderError {
    /// The context reads' failures, in the order use cases' terms.
    fn from(err: ContextError) -> Self {
        match err {
            ContextError::NotFound => OrderError::ContextNotFound,
            ContextError::Invalid(errors) => OrderError::Invalid(errors),
            ContextError::CredentialRequired { .. } => OrderError::CredentialRequired(err.to_string()),
            ContextError::CredentialRejected => OrderError::CredentialRejected,
            ContextError::ExchangeUnavailable(detail) => OrderError::ExchangeUnavailable(detail),
            ContextError::Unexpected(err) => OrderError::Unexpected(err),
            ContextError::InUse { .. } => anyhow::Error::from(err).context("an order use case").into(),
        }
    }
}

impl From<crate::exchanges::ExchangeFailure> for OrderError {
    /// An exchange's failure while checking or placing the order.
    fn from(err: crate::exchanges::ExchangeFailure) -> Self {
        use crate::exchanges::ExchangeFailure as F;
        match err {
            F::Invalid(errors) => OrderError::Invalid(errors),
            F::OrderNotFound => OrderError::NotFound,
            F::CredentialRejected => OrderError::CredentialRejected,
            other => OrderError::ExchangeUnavailable(other.to_string()),
        }
    }
}

impl From<AppError> for OrderError {
    /// The refusals of the services orders call that still answer `AppError` (context reads,
    /// the exchange directory and gateways, the engine), in the order use cases' terms.
    fn from(err: AppError) -> Self {
        match err {
            AppError::Order(err) => err,
            AppError::Context(err) => err.into(),
            AppError::Exchange(err) => err.into(),
            AppError::Validation(errors) => OrderError::Invalid(errors),
            AppError::NotFound { resource: "context" } => OrderError::ContextNotFound,
            AppError::NotFound { resource: "order" } => OrderError::NotFound,
            AppError::BotBusy(detail) => OrderError::BotBusy(detail),
            other => other.into_unexpected("an order use case").into(),
        }
    }
}
