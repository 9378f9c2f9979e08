//! Exchange failures -> problem codes.

use application::exchanges::ExchangeFailure;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<ExchangeFailure> for ApiError {
    fn from(err: ExchangeFailure) -> Self {
        let detail = err.to_string();
        let code = match err {
            ExchangeFailure::Invalid(errors) => return ApiError::validation(errors),
            ExchangeFailure::OrderNotFound => ErrorCode::NotFound,
            ExchangeFailure::CredentialRejected => ErrorCode::CredentialRejected,
            ExchangeFailure::NotSetUp { .. } | ExchangeFailure::Unreachable => ErrorCode::ExchangeUnavailable,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for ExchangeFailure {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::NotFound,
        ErrorCode::CredentialRejected,
        ErrorCode::ExchangeUnavailable,
    ];
}
