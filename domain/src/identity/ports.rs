//! Ports of the identity aggregate.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{
    AuditEntry, AuditFilter, Email, EmailToken, PlainPassword, RefreshSession, TokenPurpose, User, UserFilter,
};
use crate::shared::error::RepoError;
use crate::shared::ids::{EmailTokenId, SessionFamilyId, UserId};
use crate::shared::page::{Page, PageRequest};
use crate::subscriptions::Plan;

/// Stores users. Unique index `users_email` on the normalised e-mail.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a new user (its `version` is ignored and stored as 1).
    /// Errors: `Duplicate { index: "users_email" }` when the e-mail is taken.
    async fn create(&self, user: &User) -> Result<User, RepoError>;
    /// The user with that id. Errors: `NotFound`.
    async fn get(&self, id: UserId) -> Result<User, RepoError>;
    /// The user with that normalised e-mail, if any.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, RepoError>;
    /// Replaces the user when its stored version equals `user.version`; returns it with the new
    /// version. Errors: `Conflict` on a stale version, `NotFound`, `Duplicate` on the e-mail index.
    async fn update(&self, user: &User) -> Result<User, RepoError>;
    /// Users matching `filter`, oldest first.
    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, RepoError>;
}

/// Stores refresh-token sessions. Unique index `sessions_token_hash`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Inserts a session. Errors: `Duplicate { index: "sessions_token_hash" }`.
    async fn create(&self, session: &RefreshSession) -> Result<RefreshSession, RepoError>;
    /// The session whose token hashes to `token_hash`, if any.
    async fn find_by_token_hash(&self, token_hash: &str) -> Result<Option<RefreshSession>, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, session: &RefreshSession) -> Result<RefreshSession, RepoError>;
    /// Marks every unrevoked session of the family revoked at `at`; returns how many changed.
    async fn revoke_family(&self, family: SessionFamilyId, at: OffsetDateTime) -> Result<u64, RepoError>;
    /// Revokes every session of the user except those of `keep` (if given); returns how many.
    async fn revoke_all_for_user(
        &self,
        user: UserId,
        keep: Option<SessionFamilyId>,
        at: OffsetDateTime,
    ) -> Result<u64, RepoError>;
    /// The user's sessions, newest first.
    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<RefreshSession>, RepoError>;
}

/// Stores single-use e-mail tokens. Unique index `email_tokens_hash`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait EmailTokenRepository: Send + Sync {
    /// Inserts a token. Errors: `Duplicate { index: "email_tokens_hash" }`.
    async fn create(&self, token: &EmailToken) -> Result<(), RepoError>;
    /// The token stored under `token_hash`, if any.
    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<EmailToken>, RepoError>;
    /// Marks the token consumed at `at` if nobody consumed it before; `false` when someone did
    /// (a second use racing the first one loses).
    async fn consume(&self, id: EmailTokenId, at: OffsetDateTime) -> Result<bool, RepoError>;
    /// Marks every unconsumed token of the user for `purpose` consumed at `at` (a new token
    /// supersedes the older ones); returns how many.
    async fn consume_all(&self, user: UserId, purpose: TokenPurpose, at: OffsetDateTime) -> Result<u64, RepoError>;
}

/// Append-only audit log.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Appends an entry.
    async fn append(&self, entry: &AuditEntry) -> Result<(), RepoError>;
    /// The user's entries matching `filter`, newest first.
    async fn list_for_user(
        &self,
        user: UserId,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, RepoError>;
}

/// Hashes and verifies passwords (argon2id in production).
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password` with a fresh salt.
    fn hash(&self, password: &PlainPassword) -> anyhow::Result<String>;
    /// Whether `password` matches `phc`. A malformed `phc` is `false`, not an error.
    fn verify(&self, password: &PlainPassword, phc: &str) -> bool;
    /// Burns the time of one verification; used for unknown e-mails so that their answer takes
    /// as long as a wrong password's.
    fn verify_dummy(&self, password: &PlainPassword);
}

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user.
    pub user_id: UserId,
    /// The user's e-mail at issue time.
    pub email: String,
    /// The user's plan at issue time (informative: entitlements are always read fresh).
    pub plan: Plan,
    /// Token id.
    pub jti: String,
    /// Issued at.
    pub issued_at: OffsetDateTime,
    /// Expires at.
    pub expires_at: OffsetDateTime,
    /// The user's session generation at issue time (see `User::session_generation`).
    pub generation: u64,
}

/// Why an access token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Past its expiry.
    #[error("token expired")]
    Expired,
    /// Bad signature, wrong algorithm, issuer or audience, or malformed.
    #[error("invalid token")]
    Invalid,
}

/// Issues and checks access tokens (JWT HS256 in production).
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// Signs `claims`.
    fn issue(&self, claims: &AccessClaims) -> anyhow::Result<String>;
    /// Verifies signature, algorithm, issuer, audience and expiry at `now`.
    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError>;
    /// How long an access token lives.
    fn access_ttl(&self) -> time::Duration;
}
