//! Use cases: ask for a password-reset e-mail, and set a new password with its token.
//!
//! Asking never tells whether an account exists: a known and an unknown e-mail get the same
//! answer in the same time (the token and the message are made on a background task).

use domain::identity::{
    AuditAction, Email, EmailToken, EmailTokenError, PlainPassword, RequestMeta, TokenPurpose, User,
};
use domain::shared::clock::to_millis;
use domain::shared::ids::UserId;

use super::account_mail::hash_email_token;
use super::{AccountError, ForgotPasswordError, IdentityService, ResetPasswordError};
use crate::rate_limit::RetryAfter;
use crate::{FieldCode, FieldError, Unexpected};

/// A new password with the token that allows it.
#[derive(Clone)]
pub struct ResetPasswordInput {
    /// The token from the e-mail's link.
    pub token: String,
    /// The new password (registration's rules).
    pub password: String,
}

impl std::fmt::Debug for ResetPasswordInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetPasswordInput(<redacted>)")
    }
}

impl IdentityService {
    /// Mails a reset link to `email` when an active account has it; answers the same either way.
    /// Errors: `Invalid` (not an e-mail address), `TooManyRequests` (per e-mail),
    /// `EmailUnavailable` (no mail server).
    pub async fn forgot_password(&self, email: &str) -> Result<(), ForgotPasswordError> {
        let Some(mail) = &self.ports.mail else {
            return Err(ForgotPasswordError::EmailUnavailable);
        };
        let email = Email::parse(email).map_err(|e| {
            ForgotPasswordError::Invalid(vec![FieldError::new("email", FieldCode::Invalid, e.to_string())])
        })?;
        let now = self.ports.clock.now();
        self.forgot_limit
            .acquire(email.as_str(), now)
            .map_err(|RetryAfter(retry_after_secs)| ForgotPasswordError::TooManyRequests { retry_after_secs })?;
        match self.ports.users.find_by_email(&email).await? {
            Some(user) if user.is_active() => mail.send_in_background(user, TokenPurpose::PasswordReset),
            _ => tracing::info!("password reset asked for an e-mail with no active account"),
        }
        Ok(())
    }

    /// Sets the password with a reset token, consuming it, ending every session and marking the
    /// e-mail verified (the link proves the mailbox). Errors: `Invalid` (field `password`),
    /// `TokenInvalid`, `TokenExpired`.
    pub async fn reset_password(
        &self,
        input: ResetPasswordInput,
        meta: &RequestMeta,
    ) -> Result<(), ResetPasswordError> {
        // Checked before the token is spent, so a weak password does not burn the link.
        let password = PlainPassword::new(input.password).map_err(|e| {
            ResetPasswordError::Invalid(vec![FieldError::new("password", FieldCode::WeakPassword, e.to_string())])
        })?;
        let token = self.redeem(&input.token, TokenPurpose::PasswordReset).await.map_err(|e| match e {
            Redeem::Refused(EmailTokenError::Invalid) => ResetPasswordError::TokenInvalid,
            Redeem::Refused(EmailTokenError::Expired) => ResetPasswordError::TokenExpired,
            Redeem::Unexpected(err) => err.into(),
        })?;
        let mut user = self.active_user_or(token.user_id, ResetPasswordError::TokenInvalid).await?;
        let now = self.ports.clock.now();
        user.password_hash = self.ports.hasher.hash(&password)?;
        user.email_verified = true;
        user.end_sessions(now);
        user.updated_at = to_millis(now);
        let user = self.ports.users.update(&user).await?;
        self.ports.sessions.revoke_all_for_user(user.id, None, now).await?;
        self.audit(Some(user.id), AuditAction::PasswordReset, meta, None).await;
        tracing::info!(user_id = %user.id, "password reset; every session ended");
        Ok(())
    }

    /// The user, if active; else `missing` (the account was deleted or blocked meanwhile).
    pub(crate) async fn active_user_or<E: From<Unexpected>>(&self, user_id: UserId, missing: E) -> Result<User, E> {
        match self.active_user(user_id).await {
            Ok(user) => Ok(user),
            Err(AccountError::UserNotFound | AccountError::Invalid(_)) => Err(missing),
            Err(AccountError::Unexpected(err)) => Err(err.into()),
        }
    }

    /// The stored token for `raw`, checked for `purpose` and consumed (once: a racing second use
    /// is refused as `Invalid`).
    pub(crate) async fn redeem(&self, raw: &str, purpose: TokenPurpose) -> Result<EmailToken, Redeem> {
        let now = self.ports.clock.now();
        let token = self
            .ports
            .email_tokens
            .find_by_hash(&hash_email_token(raw))
            .await
            .map_err(|e| Redeem::Unexpected(e.into()))?
            .ok_or(Redeem::Refused(EmailTokenError::Invalid))?;
        token.check(purpose, now).map_err(Redeem::Refused)?;
        if !self.ports.email_tokens.consume(token.id, now).await.map_err(|e| Redeem::Unexpected(e.into()))? {
            return Err(Redeem::Refused(EmailTokenError::Invalid));
        }
        Ok(token)
    }
}

/// Why [`IdentityService::redeem`] gave no token.
#[derive(Debug)]
pub(crate) enum Redeem {
    /// The token is refused.
    Refused(EmailTokenError),
    /// The store failed.
    Unexpected(Unexpected),
}
