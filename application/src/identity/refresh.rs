//! Use cases: rotate a refresh token, and log out (revoke its family).

use domain::identity::{AuditAction, RefreshSession, RequestMeta};
use domain::RepoError;

use super::tokens::hash_refresh_token;
use super::{AccountError, IdentityService, RefreshError, TokenPair};

impl IdentityService {
    /// Exchanges a refresh token for a new pair. Each token works once: presenting a spent one
    /// (or racing two uses of one) revokes its whole family and answers `Reused`.
    pub async fn refresh(&self, refresh_token: &str, meta: &RequestMeta) -> Result<TokenPair, RefreshError> {
        let now = self.ports.clock.now();
        let Some(session) = self.ports.sessions.find_by_token_hash(&hash_refresh_token(refresh_token)).await? else {
            return Err(RefreshError::Invalid);
        };
        if session.revoked_at.is_some() {
            return Err(RefreshError::Invalid);
        }
        if session.used_at.is_some() {
            return Err(self.reuse_detected(&session, meta).await);
        }
        if now >= session.expires_at {
            return Err(RefreshError::Expired);
        }
        let user = match self.active_user(session.user_id).await {
            Ok(user) => user,
            Err(AccountError::UserNotFound) => return Err(RefreshError::Invalid),
            Err(AccountError::Unexpected(err)) => return Err(err.into()),
            Err(AccountError::Invalid(_)) => unreachable!("reading a user validates no field"),
        };
        let spent = RefreshSession { used_at: Some(now), ..session.clone() };
        match self.ports.sessions.update(&spent).await {
            Ok(_) => {}
            Err(RepoError::Conflict) => return Err(self.reuse_detected(&session, meta).await),
            Err(err) => return Err(err.into()),
        }
        Ok(self.issue_pair(&user, session.family_id).await?)
    }

    /// Revokes the family of `refresh_token`. Unknown or already revoked tokens are accepted
    /// silently, so logging out is idempotent.
    pub async fn logout(&self, refresh_token: &str, meta: &RequestMeta) -> Result<(), RefreshError> {
        let now = self.ports.clock.now();
        if let Some(session) = self.ports.sessions.find_by_token_hash(&hash_refresh_token(refresh_token)).await? {
            if self.ports.sessions.revoke_family(session.family_id, now).await? > 0 {
                self.audit(Some(session.user_id), AuditAction::Logout, meta, None).await;
            }
        }
        Ok(())
    }

    async fn reuse_detected(&self, session: &RefreshSession, meta: &RequestMeta) -> RefreshError {
        let now = self.ports.clock.now();
        if let Err(err) = self.ports.sessions.revoke_family(session.family_id, now).await {
            tracing::error!(error = ?err, "revoking a session family after reuse failed");
        }
        tracing::warn!(user_id = %session.user_id, "refresh token reuse detected; session family revoked");
        self.audit(Some(session.user_id), AuditAction::RefreshReuseDetected, meta, None).await;
        RefreshError::Reused
    }
}
