//! The failures of the identity use cases, in their own terms. `api` maps each variant to its
//! problem code in one place (`api/src/error/map`).

use crate::{FieldError, Unexpected};

/// Why a bearer token does not identify a caller.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    /// The token was valid but its lifetime is over: refresh it.
    #[error("the access token has expired; refresh it")]
    Expired,
    /// Bad signature, issuer or audience, an unknown or inactive user, or a token issued before
    /// the user ended their sessions.
    #[error("the access token is not valid")]
    Invalid,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why a login is refused.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Too many failed attempts for this e-mail within the window.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until an attempt is accepted again.
        retry_after_secs: u64,
    },
    /// Unknown e-mail or wrong password: the same answer for both.
    #[error("e-mail or password is incorrect")]
    WrongCredentials,
    /// The password was right but the account is blocked.
    #[error("this account is blocked")]
    AccountBlocked,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why a refresh token cannot be exchanged for a new pair.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Unknown, revoked, or its user is no longer active.
    #[error("the refresh token is not valid")]
    Invalid,
    /// Its lifetime is over: log in again.
    #[error("the session has expired; log in again")]
    Expired,
    /// It was already used: every session of its login was revoked.
    #[error("this refresh token was already used; every session of this login was revoked")]
    Reused,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why an account cannot be created.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Fields break the rules; one entry per bad field.
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// An account with this e-mail exists.
    #[error("an account with this e-mail already exists")]
    EmailTaken,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why the caller's own account cannot be read or changed (profile, password).
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Fields break the rules (a weak new password, a wrong current one, a bad name).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The account no longer exists or is not active.
    #[error("user not found")]
    UserNotFound,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

impl AccountError {
    /// A single bad field.
    pub fn field(field: &str, code: crate::FieldCode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }
}

crate::unexpected_from!(AuthenticateError, LoginError, RefreshError, RegisterError, AccountError);
