//! Credential failures -> problem codes.

use application::credentials::CredentialError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<CredentialError> for ApiError {
    fn from(err: CredentialError) -> Self {
        let detail = err.to_string();
        let code = match err {
            CredentialError::Invalid(errors) => return ApiError::validation(errors),
            CredentialError::Unexpected(err) => return err.into(),
            CredentialError::Exists { .. } => ErrorCode::CredentialExists,
            CredentialError::NotFound => ErrorCode::NotFound,
            CredentialError::ExchangeUnreachable { .. } => ErrorCode::ExchangeUnavailable,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for CredentialError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::CredentialExists,
        ErrorCode::NotFound,
        ErrorCode::ExchangeUnavailable,
    ];
}
