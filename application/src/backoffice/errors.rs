//! What the backoffice use cases answer when they refuse.

use crate::{unexpected_from, FieldError, Unexpected};

/// Why a backoffice use case refused.
#[derive(Debug, thiserror::Error)]
pub enum BackofficeError {
    /// Fields are invalid (an e-mail outside the backoffice domains, a weak password, a role).
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// Unknown e-mail, wrong password, wrong, used or replayed code: one answer for all.
    #[error("wrong e-mail, password or code")]
    WrongCredentials,
    /// The operator has not enrolled a TOTP authenticator yet (enrol first).
    #[error("enrol a TOTP authenticator first: POST /backoffice/api/auth/totp/enroll")]
    EnrolmentRequired,
    /// The operator has enrolled already.
    #[error("a TOTP authenticator is enrolled already")]
    AlreadyEnrolled,
    /// Too many login attempts from this IP or for this e-mail.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until the window lets one more through.
        retry_after_secs: u64,
    },
    /// No live session: no cookie, an unknown one, expired, revoked, or its operator disabled.
    #[error("log in to the backoffice first")]
    SessionRequired,
    /// The operator e-mail is taken.
    #[error("an operator with this e-mail exists")]
    OperatorExists,
    /// No such resource.
    #[error("{resource} not found")]
    NotFound {
        /// What was looked for.
        resource: &'static str,
    },
    /// The user is blocked: unblock them first (a password-reset e-mail for a blocked account).
    #[error("the account is blocked: unblock it first")]
    UserBlocked,
    /// An operator tried to change, disable or reset themselves.
    #[error("operators cannot change, disable or reset themselves")]
    SelfManagement,
    /// The resource's state does not allow the action (a bot that is not running).
    #[error("{0}")]
    Refused(String),
    /// The store or an invariant broke.
    #[error(transparent)]
    Unexpected(Unexpected),
}

unexpected_from!(BackofficeError);
