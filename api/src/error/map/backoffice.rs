//! Backoffice failures -> problem codes.

use application::backoffice::BackofficeError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<BackofficeError> for ApiError {
    fn from(err: BackofficeError) -> Self {
        let code = match err {
            BackofficeError::Invalid(errors) => return ApiError::validation(errors),
            BackofficeError::TooManyAttempts { retry_after_secs } => return ApiError::rate_limited(retry_after_secs),
            BackofficeError::Unexpected(err) => return err.into(),
            BackofficeError::WrongCredentials => ErrorCode::InvalidCredentials,
            BackofficeError::EnrolmentRequired => ErrorCode::TotpEnrolmentRequired,
            BackofficeError::AlreadyEnrolled => ErrorCode::TotpAlreadyEnrolled,
            BackofficeError::SessionRequired => ErrorCode::BackofficeSessionRequired,
            BackofficeError::OperatorExists => ErrorCode::OperatorExists,
            BackofficeError::NotFound { .. } => ErrorCode::NotFound,
            BackofficeError::Refused(_) => ErrorCode::InvalidBotStatus,
            BackofficeError::SelfManagement => ErrorCode::Forbidden,
            BackofficeError::UserBlocked => ErrorCode::AccountBlocked,
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for BackofficeError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::RateLimited,
        ErrorCode::InvalidCredentials,
        ErrorCode::TotpEnrolmentRequired,
        ErrorCode::TotpAlreadyEnrolled,
        ErrorCode::BackofficeSessionRequired,
        ErrorCode::OperatorExists,
        ErrorCode::NotFound,
        ErrorCode::InvalidBotStatus,
        ErrorCode::AccountBlocked,
        ErrorCode::Forbidden,
    ];
}
