//! Use cases: verify one's e-mail address with the token mailed at registration, ask for a new
//! one, and the check live trading makes ([`VerifiedEmailGate`]).

use std::sync::Arc;

use domain::identity::{AuditAction, EmailTokenError, RequestMeta, TokenPurpose, User, UserRepository};
use domain::shared::clock::to_millis;
use domain::shared::ids::UserId;
use domain::RepoError;

use super::recovery::Redeem;
use super::{EmailGateError, IdentityService, ResendVerificationError, VerifyEmailError};
use crate::rate_limit::RetryAfter;

impl IdentityService {
    /// Mails the verification link to a newly registered user, when verification is on.
    pub(crate) fn send_verification(&self, user: &User) {
        if let (true, Some(mail)) = (self.config.email_verification, &self.ports.mail) {
            mail.send_in_background(user.clone(), TokenPurpose::EmailVerification);
        }
    }

    /// Marks the token's user verified and consumes the token. Errors: `TokenInvalid`, `TokenExpired`.
    pub async fn verify_email(&self, token: &str, meta: &RequestMeta) -> Result<(), VerifyEmailError> {
        let token = self.redeem(token, TokenPurpose::EmailVerification).await.map_err(|e| match e {
            Redeem::Refused(EmailTokenError::Invalid) => VerifyEmailError::TokenInvalid,
            Redeem::Refused(EmailTokenError::Expired) => VerifyEmailError::TokenExpired,
            Redeem::Unexpected(err) => err.into(),
        })?;
        let mut user = self.active_user_or(token.user_id, VerifyEmailError::TokenInvalid).await?;
        if !user.email_verified {
            user.email_verified = true;
            user.updated_at = to_millis(self.ports.clock.now());
            self.ports.users.update(&user).await?;
        }
        self.audit(Some(user.id), AuditAction::EmailVerified, meta, None).await;
        Ok(())
    }

    /// Mails a new verification link, superseding the older ones. Errors: `EmailUnavailable`,
    /// `AlreadyVerified`, `TooManyRequests` (per account), `UserNotFound`.
    pub async fn resend_verification(&self, user_id: UserId) -> Result<(), ResendVerificationError> {
        let (true, Some(mail)) = (self.config.email_verification, &self.ports.mail) else {
            return Err(ResendVerificationError::EmailUnavailable);
        };
        let user = self.active_user_or(user_id, ResendVerificationError::UserNotFound).await?;
        if user.email_verified {
            return Err(ResendVerificationError::AlreadyVerified);
        }
        self.resend_limit
            .acquire(&user.id.to_string(), self.ports.clock.now())
            .map_err(|RetryAfter(retry_after_secs)| ResendVerificationError::TooManyRequests { retry_after_secs })?;
        mail.send_in_background(user, TokenPurpose::EmailVerification);
        Ok(())
    }
}

/// The check live trading makes: the owner's e-mail is verified. Off on a server that does not
/// verify e-mail (no SMTP server, or `BOTFLEET_EMAIL_VERIFICATION=off`).
#[derive(Clone)]
pub struct VerifiedEmailGate {
    users: Option<Arc<dyn UserRepository>>,
}

impl std::fmt::Debug for VerifiedEmailGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedEmailGate").field("on", &self.users.is_some()).finish()
    }
}

impl VerifiedEmailGate {
    /// A gate that reads the owner's `email_verified` from `users`.
    pub fn on(users: Arc<dyn UserRepository>) -> Self {
        Self { users: Some(users) }
    }

    /// A gate that lets everyone through.
    pub fn off() -> Self {
        Self { users: None }
    }

    /// Whether `owner` may trade live. Errors: `Unverified`.
    pub async fn require(&self, owner: UserId) -> Result<(), EmailGateError> {
        let Some(users) = &self.users else { return Ok(()) };
        match users.get(owner).await {
            Ok(user) if user.email_verified => Ok(()),
            Ok(_) | Err(RepoError::NotFound) => Err(EmailGateError::Unverified),
            Err(err) => Err(err.into()),
        }
    }
}
