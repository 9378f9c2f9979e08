//! Use case: exchange e-mail and password for a token pair.

use domain::identity::{AuditAction, Email, PlainPassword, RequestMeta};
use domain::shared::ids::SessionFamilyId;

use super::{IdentityService, LoginError, TokenPair};
use crate::rate_limit::RetryAfter;

/// Login form.
#[derive(Clone)]
pub struct LoginInput {
    /// E-mail as typed.
    pub email: String,
    /// Password as typed.
    pub password: String,
}

impl std::fmt::Debug for LoginInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginInput").field("email", &self.email).finish_non_exhaustive()
    }
}

impl IdentityService {
    /// Logs in. Unknown e-mails and wrong passwords answer the same `WrongCredentials`, after
    /// the same hashing work. More than the allowed failures per e-mail within the window answer
    /// `TooManyAttempts`. Blocked accounts answer `AccountBlocked` only after a correct password.
    pub async fn login(&self, input: LoginInput, meta: &RequestMeta) -> Result<TokenPair, LoginError> {
        let now = self.ports.clock.now();
        let password = PlainPassword::unchecked(input.password);
        let key = input.email.trim().to_lowercase();
        if let Err(RetryAfter(secs)) = self.login_failures.check(&key, now) {
            self.audit(None, AuditAction::LoginFailed, meta, Some("too many failures for this e-mail".into())).await;
            return Err(LoginError::TooManyAttempts { retry_after_secs: secs });
        }
        let user = match Email::parse(&input.email) {
            Ok(email) => self.ports.users.find_by_email(&email).await?,
            Err(_) => None,
        };
        let Some(user) = user.filter(|u| u.status != domain::identity::UserStatus::Deleted) else {
            self.ports.hasher.verify_dummy(&password);
            self.login_failures.record(&key, now);
            self.audit(None, AuditAction::LoginFailed, meta, Some("unknown e-mail".into())).await;
            return Err(LoginError::WrongCredentials);
        };
        if !self.ports.hasher.verify(&password, &user.password_hash) {
            self.login_failures.record(&key, now);
            self.audit(Some(user.id), AuditAction::LoginFailed, meta, Some("wrong password".into())).await;
            return Err(LoginError::WrongCredentials);
        }
        if !user.is_active() {
            self.audit(Some(user.id), AuditAction::LoginFailed, meta, Some("account blocked".into())).await;
            return Err(LoginError::AccountBlocked);
        }
        self.login_failures.reset(&key);
        let pair = self.issue_pair(&user, SessionFamilyId::new()).await?;
        self.audit(Some(user.id), AuditAction::LoginSucceeded, meta, None).await;
        Ok(pair)
    }
}
