//! Trading-context failures (opening one, reading, deleting, its balance) -> problem codes.

use application::contexts::{ContextError, CreateContextError};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<CreateContextError> for ApiError {
    fn from(err: CreateContextError) -> Self {
        let detail = err.to_string();
        let code = match err {
            CreateContextError::Invalid(errors) => return ApiError::validation(errors),
            CreateContextError::Access(denied) => return denied.into(),
            CreateContextError::Unexpected(err) => return err.into(),
            CreateContextError::EmailUnverified => ErrorCode::EmailUnverified,
            CreateContextError::CredentialRequired { .. } => ErrorCode::CredentialRequired,
            CreateContextError::Exists { .. } => ErrorCode::ContextExists,
            CreateContextError::CredentialRejected => ErrorCode::CredentialRejected,
            CreateContextError::ExchangeUnavailable(_) => ErrorCode::ExchangeUnavailable,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for CreateContextError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::EmailUnverified,
        ErrorCode::CredentialRequired,
        ErrorCode::PlanLimitContexts,
        ErrorCode::SubscriptionInactive,
        ErrorCode::ContextExists,
        ErrorCode::CredentialRejected,
        ErrorCode::ExchangeUnavailable,
    ];
}

impl From<ContextError> for ApiError {
    fn from(err: ContextError) -> Self {
        let detail = err.to_string();
        let code = match err {
            ContextError::Invalid(errors) => return ApiError::validation(errors),
            ContextError::Unexpected(err) => return err.into(),
            ContextError::NotFound => ErrorCode::NotFound,
            ContextError::InUse { .. } => ErrorCode::ContextInUse,
            ContextError::CredentialRequired { .. } => ErrorCode::CredentialRequired,
            ContextError::CredentialRejected => ErrorCode::CredentialRejected,
            ContextError::ExchangeUnavailable(_) => ErrorCode::ExchangeUnavailable,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for ContextError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::NotFound,
        ErrorCode::ContextInUse,
        ErrorCode::CredentialRequired,
        ErrorCode::CredentialRejected,
        ErrorCode::ExchangeUnavailable,
    ];
}
