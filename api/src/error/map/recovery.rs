//! Password recovery and e-mail verification failures -> problem codes.

use application::identity::{ForgotPasswordError, ResendVerificationError, ResetPasswordError, VerifyEmailError};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<ForgotPasswordError> for ApiError {
    fn from(err: ForgotPasswordError) -> Self {
        let code = match err {
            ForgotPasswordError::Invalid(errors) => return ApiError::validation(errors),
            ForgotPasswordError::TooManyRequests { retry_after_secs } => {
                return ApiError::rate_limited(retry_after_secs)
            }
            ForgotPasswordError::EmailUnavailable => ErrorCode::EmailUnavailable,
            ForgotPasswordError::Unexpected(err) => return err.into(),
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for ForgotPasswordError {
    const CODES: &'static [ErrorCode] =
        &[ErrorCode::ValidationFailed, ErrorCode::RateLimited, ErrorCode::EmailUnavailable];
}

impl From<ResetPasswordError> for ApiError {
    fn from(err: ResetPasswordError) -> Self {
        let code = match err {
            ResetPasswordError::Invalid(errors) => return ApiError::validation(errors),
            ResetPasswordError::TokenInvalid => ErrorCode::ResetTokenInvalid,
            ResetPasswordError::TokenExpired => ErrorCode::ResetTokenExpired,
            ResetPasswordError::Unexpected(err) => return err.into(),
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for ResetPasswordError {
    const CODES: &'static [ErrorCode] =
        &[ErrorCode::ValidationFailed, ErrorCode::ResetTokenInvalid, ErrorCode::ResetTokenExpired];
}

impl From<VerifyEmailError> for ApiError {
    fn from(err: VerifyEmailError) -> Self {
        let code = match err {
            VerifyEmailError::TokenInvalid => ErrorCode::VerificationTokenInvalid,
            VerifyEmailError::TokenExpired => ErrorCode::VerificationTokenExpired,
            VerifyEmailError::Unexpected(err) => return err.into(),
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for VerifyEmailError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::VerificationTokenInvalid, ErrorCode::VerificationTokenExpired];
}

impl From<ResendVerificationError> for ApiError {
    fn from(err: ResendVerificationError) -> Self {
        let code = match err {
            ResendVerificationError::AlreadyVerified => ErrorCode::EmailAlreadyVerified,
            ResendVerificationError::TooManyRequests { retry_after_secs } => {
                return ApiError::rate_limited(retry_after_secs)
            }
            ResendVerificationError::EmailUnavailable => ErrorCode::EmailUnavailable,
            ResendVerificationError::UserNotFound => ErrorCode::NotFound,
            ResendVerificationError::Unexpected(err) => return err.into(),
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for ResendVerificationError {
    const CODES: &'static [ErrorCode] =
        &[ErrorCode::NotFound, ErrorCode::EmailAlreadyVerified, ErrorCode::RateLimited, ErrorCode::EmailUnavailable];
}
