//! Identity failures -> problem codes.

use application::identity::{
    AccountError, AuthenticateError, DeleteAccountError, LoginError, RefreshError, RegisterError,
};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<AuthenticateError> for ApiError {
    fn from(err: AuthenticateError) -> Self {
        let code = match err {
            AuthenticateError::Expired => ErrorCode::TokenExpired,
            AuthenticateError::Invalid => ErrorCode::InvalidToken,
            AuthenticateError::Unexpected(err) => return err.into(),
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for AuthenticateError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::MissingToken, ErrorCode::InvalidToken, ErrorCode::TokenExpired];
}

impl From<LoginError> for ApiError {
    fn from(err: LoginError) -> Self {
        let code = match err {
            LoginError::TooManyAttempts { retry_after_secs } => return ApiError::rate_limited(retry_after_secs),
            LoginError::WrongCredentials => ErrorCode::InvalidCredentials,
            LoginError::AccountBlocked => ErrorCode::AccountBlocked,
            LoginError::Unexpected(err) => return err.into(),
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for LoginError {
    const CODES: &'static [ErrorCode] =
        &[ErrorCode::RateLimited, ErrorCode::InvalidCredentials, ErrorCode::AccountBlocked];
}

impl From<RefreshError> for ApiError {
    fn from(err: RefreshError) -> Self {
        let code = match err {
            RefreshError::Invalid => ErrorCode::InvalidRefreshToken,
            RefreshError::Expired => ErrorCode::RefreshExpired,
            RefreshError::Reused => ErrorCode::RefreshReused,
            RefreshError::Unexpected(err) => return err.into(),
        };
        ApiError::new(code, err.to_string())
    }
}

impl ErrorCodes for RefreshError {
    const CODES: &'static [ErrorCode] =
        &[ErrorCode::InvalidRefreshToken, ErrorCode::RefreshExpired, ErrorCode::RefreshReused];
}

impl From<RegisterError> for ApiError {
    fn from(err: RegisterError) -> Self {
        match err {
            RegisterError::Invalid(errors) => ApiError::validation(errors),
            RegisterError::EmailTaken => ApiError::new(ErrorCode::EmailTaken, err.to_string()),
            RegisterError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for RegisterError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::ValidationFailed, ErrorCode::EmailTaken];
}

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Invalid(errors) => ApiError::validation(errors),
            AccountError::UserNotFound => ApiError::new(ErrorCode::NotFound, err.to_string()),
            AccountError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for AccountError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::ValidationFailed, ErrorCode::NotFound];
}

impl From<DeleteAccountError> for ApiError {
    fn from(err: DeleteAccountError) -> Self {
        match err {
            DeleteAccountError::Invalid(errors) => ApiError::validation(errors),
            DeleteAccountError::UserNotFound => ApiError::new(ErrorCode::NotFound, err.to_string()),
            DeleteAccountError::Busy => ApiError::new(ErrorCode::AccountBusy, err.to_string()),
            DeleteAccountError::Bots(err) => err.into(),
            DeleteAccountError::Orders(err) => err.into(),
            DeleteAccountError::Subscription(err) => err.into(),
            DeleteAccountError::Consent(err) => err.into(),
            DeleteAccountError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for DeleteAccountError {
    /// Its own, and what stopping the bots, cancelling the orders and ending the paid plan can
    /// answer while the account is still active (a retry finishes the job).
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::NotFound,
        ErrorCode::AccountBusy,
        ErrorCode::BotBusy,
        ErrorCode::CredentialRequired,
        ErrorCode::CredentialRejected,
        ErrorCode::ExchangeUnavailable,
        ErrorCode::PaymentsNotConfigured,
        ErrorCode::PaymentProviderUnavailable,
    ];
}
