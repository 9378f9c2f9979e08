//! Use case: soft-delete one's account.

use domain::identity::{AuditAction, PlainPassword, RequestMeta};
use domain::shared::ids::UserId;
use domain::PageRequest;

use super::IdentityService;
use crate::AppError;

impl IdentityService {
    /// Soft-deletes the account after checking the password: exchange credentials are wiped,
    /// every session is revoked, the e-mail is released and login is refused from then on. The
    /// audit trail is kept.
    pub async fn delete_account(&self, user_id: UserId, password: String, meta: &RequestMeta) -> Result<(), AppError> {
        let mut user = self.active_user(user_id).await?;
        if !self.ports.hasher.verify(&PlainPassword::unchecked(password), &user.password_hash) {
            return Err(AppError::field("password", "incorrect", "the password is incorrect"));
        }
        let now = self.ports.clock.now();
        loop {
            let page = self.ports.credentials.list(user.id, None, PageRequest::new(0, PageRequest::MAX_LIMIT)).await?;
            if page.items.is_empty() {
                break;
            }
            for credential in page.items {
                self.ports.credentials.delete(user.id, credential.id).await?;
            }
        }
        self.ports.sessions.revoke_all_for_user(user.id, None, now).await?;
        user.mark_deleted(domain::shared::clock::to_millis(now));
        self.ports.users.update(&user).await?;
        self.audit(Some(user.id), AuditAction::AccountDeleted, meta, None).await;
        tracing::info!(user_id = %user.id, "account deleted");
        Ok(())
    }
}
