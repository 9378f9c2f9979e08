//! Use cases: rotate a refresh token, and log out (revoke its family).

use domain::identity::{AuditAction, RefreshSession, RequestMeta};
use domain::RepoError;

use super::tokens::hash_refresh_token;
use super::{IdentityService, TokenPair};
use crate::AppError;

impl IdentityService {
    /// Exchanges a refresh token for a new pair. Each token works once: presenting a spent one
    /// (or racing two uses of one) revokes its whole family and answers `refresh_reused`.
    pub async fn refresh(&self, refresh_token: &str, meta: &RequestMeta) -> Result<TokenPair, AppError> {
        let now = self.ports.clock.now();
        let Some(session) = self.ports.sessions.find_by_token_hash(&hash_refresh_token(refresh_token)).await? else {
            return Err(invalid_refresh());
        };
        if session.revoked_at.is_some() {
            return Err(invalid_refresh());
        }
        if session.used_at.is_some() {
            return Err(self.reuse_detected(&session, meta).await);
        }
        if now >= session.expires_at {
            return Err(AppError::Unauthorized {
                code: "refresh_expired",
                detail: "the session has expired; log in again".into(),
            });
        }
        let user = match self.active_user(session.user_id).await {
            Ok(user) => user,
            Err(AppError::NotFound { .. }) => return Err(invalid_refresh()),
            Err(err) => return Err(err),
        };
        let spent = RefreshSession { used_at: Some(now), ..session.clone() };
        match self.ports.sessions.update(&spent).await {
            Ok(_) => {}
            Err(RepoError::Conflict) => return Err(self.reuse_detected(&session, meta).await),
            Err(err) => return Err(err.into()),
        }
        self.issue_pair(&user, session.family_id).await
    }

    /// Revokes the family of `refresh_token`. Unknown or already revoked tokens are accepted
    /// silently, so logging out is idempotent.
    pub async fn logout(&self, refresh_token: &str, meta: &RequestMeta) -> Result<(), AppError> {
        let now = self.ports.clock.now();
        if let Some(session) = self.ports.sessions.find_by_token_hash(&hash_refresh_token(refresh_token)).await? {
            if self.ports.sessions.revoke_family(session.family_id, now).await? > 0 {
                self.audit(Some(session.user_id), AuditAction::Logout, meta, None).await;
            }
        }
        Ok(())
    }

    async fn reuse_detected(&self, session: &RefreshSession, meta: &RequestMeta) -> AppError {
        let now = self.ports.clock.now();
        if let Err(err) = self.ports.sessions.revoke_family(session.family_id, now).await {
            tracing::error!(error = ?err, "revoking a session family after reuse failed");
        }
        tracing::warn!(user_id = %session.user_id, "refresh token reuse detected; session family revoked");
        self.audit(Some(session.user_id), AuditAction::RefreshReuseDetected, meta, None).await;
        AppError::Unauthorized {
            code: "refresh_reused",
            detail: "this refresh token was already used; every session of this login was revoked".into(),
        }
    }
}

fn invalid_refresh() -> AppError {
    AppError::Unauthorized { code: "invalid_refresh_token", detail: "the refresh token is not valid".into() }
}
