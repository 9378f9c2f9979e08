//! The one place where `application`'s errors become problems: each failure a use case reports
//! is given its [`ErrorCode`] here, and nowhere else.

use application::AppError;
use infrastructure::scheduler::RunNowError;

use super::{ApiError, ErrorCode};

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let coded = |code: &'static str, detail: String| ApiError::new(table_code(code), detail);
        match err {
            AppError::Validation(errors) => ApiError::validation(errors),
            AppError::BadRequest { code, detail }
            | AppError::Unauthorized { code, detail }
            | AppError::Forbidden { code, detail }
            | AppError::Conflict { code, detail }
            | AppError::Unavailable { code, detail } => coded(code, detail),
            AppError::PlanLimit { code, detail, upgrade_to } => coded(code, detail).with_upgrade_to(upgrade_to),
            AppError::NotFound { resource } => ApiError::new(ErrorCode::NotFound, format!("{resource} not found")),
            AppError::RateLimited { retry_after_secs } => ApiError::rate_limited(retry_after_secs),
            AppError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<domain::RepoError> for ApiError {
    fn from(err: domain::RepoError) -> Self {
        ApiError::from(AppError::from(err))
    }
}

/// The row of a code an `AppError` names. A code missing from the table is a bug (a test scans
/// the sources for them); it is answered as an internal error rather than with a guessed status.
fn table_code(code: &'static str) -> ErrorCode {
    ErrorCode::from_code(code).unwrap_or_else(|| {
        tracing::error!(code, "a problem code is missing from the error table");
        ErrorCode::InternalError
    })
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
