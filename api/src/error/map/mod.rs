//! The one place where `application`'s errors become problems: each failure a use case reports
//! is given its [`ErrorCode`] here, and nowhere else. Each use-case error type also lists the
//! codes it can be answered with ([`ErrorCodes`]), from which the operations' documented error
//! responses are built.

mod analysis;
mod analytics;
mod assistant;
mod backoffice;
mod bots;
mod contexts;
mod coupons;
mod credentials;
mod exchanges;
mod identity;
mod legal;
mod market;
mod notifications;
mod orders;
mod payments;
mod recovery;
mod reports;
mod subscriptions;
mod summary;
mod telegram;
mod webhook_endpoints;

use application::{AppError, Unexpected};
use domain::RepoError;
use infrastructure::scheduler::RunNowError;

use super::{ApiError, ErrorCode};

/// The codes an error type can be answered with, besides the ones every operation can answer
/// (`internal_error`, `store_unavailable`, `version_conflict`: the [`Unexpected`] failures).
pub trait ErrorCodes {
    /// Every code a value of this type maps to.
    const CODES: &'static [ErrorCode];
}

impl From<Unexpected> for ApiError {
    fn from(err: Unexpected) -> Self {
        match err {
            Unexpected::Store(err) => err.into(),
            Unexpected::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<RepoError> for ApiError {
    /// Store failures no use case handled: a missing resource, a concurrent change, a unique
    /// value taken, or a store that cannot be reached (503, its cause logged).
    fn from(err: RepoError) -> Self {
        match err {
            RepoError::NotFound => ApiError::new(ErrorCode::NotFound, "resource not found"),
            RepoError::Conflict => ApiError::new(
                ErrorCode::VersionConflict,
                "the resource was changed concurrently; read it again and retry",
            ),
            RepoError::Duplicate { index } => {
                ApiError::new(ErrorCode::Duplicate, format!("a resource with the same unique value exists ({index})"))
            }
            RepoError::Unavailable(cause) => ApiError::unavailable(
                ErrorCode::StoreUnavailable,
                "the data store is unavailable; retry shortly",
                cause,
            ),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Validation(errors) => ApiError::validation(errors),
            AppError::BotBusy(detail) => ApiError::new(ErrorCode::BotBusy, detail),
            AppError::Store(err) => err.into(),
            AppError::NotFound { resource } => ApiError::not_found(resource),
            AppError::Order(err) => err.into(),
            AppError::Bot(err) => err.into(),
            AppError::Context(err) => err.into(),
            AppError::Exchange(err) => err.into(),
            AppError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<RunNowError> for ApiError {
    /// Why `POST /api/system/workflows/{name}/run` cannot run the workflow here now.
    fn from(err: RunNowError) -> Self {
        let code = match err {
            RunNowError::Unknown(_) => return ApiError::new(ErrorCode::NotFound, "workflow not found"),
            RunNowError::NotRegistered(_) => ErrorCode::WorkflowNotRegistered,
            RunNowError::Disabled(_) => ErrorCode::WorkflowDisabled,
            RunNowError::WorkersOff => ErrorCode::WorkersDisabled,
            RunNowError::Running(_) => ErrorCode::WorkflowRunning,
            RunNowError::LeaseHeld(_) => ErrorCode::WorkflowLeaseHeld,
        };
        ApiError::new(code, err.to_string())
    }
}

#[cfg(test)]
mod tests;
