//! Use case: change one's password, ending every other session.

use domain::identity::{AuditAction, PlainPassword, RequestMeta};
use domain::shared::clock::to_millis;
use domain::shared::ids::{SessionFamilyId, UserId};

use super::AccountError;
use super::{IdentityService, TokenPair};

/// Password change form.
#[derive(Clone)]
pub struct ChangePasswordInput {
    /// The password in use now.
    pub current_password: String,
    /// The new password (checked against the policy).
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePasswordInput(<redacted>)")
    }
}

impl IdentityService {
    /// Changes the password after checking the current one, revokes every refresh token and
    /// every access token issued before now, and returns a fresh pair for the caller.
    pub async fn change_password(
        &self,
        user_id: UserId,
        input: ChangePasswordInput,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AccountError> {
        let new_password = PlainPassword::new(input.new_password)
            .map_err(|e| AccountError::field("new_password", crate::FieldCode::WeakPassword, e.to_string()))?;
        let mut user = self.active_user(user_id).await?;
        if !self.ports.hasher.verify(&PlainPassword::unchecked(input.current_password), &user.password_hash) {
            return Err(AccountError::field(
                "current_password",
                crate::FieldCode::Incorrect,
                "the current password is incorrect",
            ));
        }
        let now = self.ports.clock.now();
        user.password_hash = self.ports.hasher.hash(&new_password)?;
        user.end_sessions(now);
        user.updated_at = to_millis(now);
        let user = self.ports.users.update(&user).await?;
        self.ports.sessions.revoke_all_for_user(user.id, None, now).await?;
        self.audit(Some(user.id), AuditAction::PasswordChanged, meta, None).await;
        Ok(self.issue_pair(&user, SessionFamilyId::new()).await?)
    }
}
