//! Issuing an access/refresh token pair, shared by login, refresh and password change.

use domain::identity::{AccessClaims, RefreshSession, User};
use domain::shared::ids::{SessionFamilyId, SessionId};
use domain::subscriptions::Plan;
use domain::RepoError;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::IdentityService;
use crate::Unexpected;

/// What a successful login or refresh returns.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// JWT access token.
    pub access_token: String,
    /// Opaque refresh token; works once.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

/// The SHA-256 (hex) under which a refresh token is stored.
pub(crate) fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

impl IdentityService {
    /// The user's current plan (FREE when no subscription record exists yet).
    pub(crate) async fn current_plan(&self, user: &User) -> Result<Plan, RepoError> {
        match self.ports.subscriptions.get_for_user(user.id).await {
            Ok(sub) if sub.is_active() => Ok(sub.plan),
            Ok(_) | Err(RepoError::NotFound) => Ok(Plan::Free),
            Err(err) => Err(err),
        }
    }

    /// Issues a pair for `user` in session family `family`, storing the refresh token's hash.
    pub(crate) async fn issue_pair(&self, user: &User, family: SessionFamilyId) -> Result<TokenPair, Unexpected> {
        let now = self.ports.clock.now();
        let plan = self.current_plan(user).await?;
        let ttl = self.ports.tokens.access_ttl();
        let claims = AccessClaims {
            user_id: user.id,
            email: user.email.as_str().to_owned(),
            plan,
            jti: ulid::Ulid::new().to_string(),
            issued_at: now,
            expires_at: now + ttl,
            generation: user.session_generation,
        };
        let access_token = self.ports.tokens.issue(&claims).map_err(Unexpected::Internal)?;
        let refresh_token = new_refresh_token();
        let session = RefreshSession {
            id: SessionId::new(),
            user_id: user.id,
            family_id: family,
            token_hash: hash_refresh_token(&refresh_token),
            created_at: now,
            expires_at: now + self.config.refresh_ttl,
            used_at: None,
            revoked_at: None,
            version: 0,
        };
        self.ports.sessions.create(&session).await?;
        Ok(TokenPair { access_token, refresh_token, token_type: "Bearer", expires_in: ttl.whole_seconds() })
    }
}
