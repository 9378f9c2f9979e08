//! The failures of password recovery and e-mail verification, in their own terms. `api` maps
//! each variant to its problem code (`api/src/error/map/identity.rs`).

use crate::{FieldError, Unexpected};

/// Why a password-reset e-mail cannot be asked for. An unknown e-mail is *not* a failure.
#[derive(Debug, thiserror::Error)]
pub enum ForgotPasswordError {
    /// The address is not an e-mail address at all.
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// Too many requests for this e-mail within the window.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests {
        /// Seconds until a request is accepted again.
        retry_after_secs: u64,
    },
    /// This server has no mail server configured.
    #[error("this server cannot send e-mail (no SMTP server is configured)")]
    EmailUnavailable,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why a password cannot be reset with a token.
#[derive(Debug, thiserror::Error)]
pub enum ResetPasswordError {
    /// The new password breaks the registration rules (field `password`).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// Unknown, already used or superseded token, or its account is gone.
    #[error("the reset token is not valid (unknown, already used or superseded)")]
    TokenInvalid,
    /// The token is older than 30 minutes.
    #[error("the reset token has expired; ask for a new one")]
    TokenExpired,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why an e-mail address cannot be verified with a token.
#[derive(Debug, thiserror::Error)]
pub enum VerifyEmailError {
    /// Unknown, already used or superseded token, or its account is gone.
    #[error("the verification token is not valid (unknown, already used or superseded)")]
    TokenInvalid,
    /// The token is older than 48 hours.
    #[error("the verification token has expired; ask for a new one")]
    TokenExpired,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why a new verification e-mail cannot be sent.
#[derive(Debug, thiserror::Error)]
pub enum ResendVerificationError {
    /// The address is verified already.
    #[error("this e-mail address is verified already")]
    AlreadyVerified,
    /// Too many requests for this account within the window.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests {
        /// Seconds until a request is accepted again.
        retry_after_secs: u64,
    },
    /// This server has no mail server configured, or e-mail verification is off.
    #[error("this server does not send verification e-mails (no SMTP server, or verification is off)")]
    EmailUnavailable,
    /// The account no longer exists or is not active.
    #[error("user not found")]
    UserNotFound,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

/// Why live trading is refused by the e-mail check.
#[derive(Debug, thiserror::Error)]
pub enum EmailGateError {
    /// The owner has not verified their e-mail address.
    #[error("live trading needs a verified e-mail address; follow the link we sent, or ask for a new one")]
    Unverified,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(
    ForgotPasswordError,
    ResetPasswordError,
    VerifyEmailError,
    ResendVerificationError,
    EmailGateError
);
