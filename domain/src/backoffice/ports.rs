//! The backoffice's storage ports: operators, their sessions, the audit trail and the
//! store-backed request counters behind the backoffice rate limits, and the user facets behind
//! the user-list filters.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{Operator, OperatorAuditEntry, OperatorAuditFilter, OperatorSession};
use crate::bots::BotStatus;
use crate::contexts::ContextMode;
use crate::identity::Email;
use crate::shared::error::RepoError;
use crate::shared::ids::{OperatorId, OperatorSessionId, UserId};
use crate::shared::page::{Page, PageRequest};
use crate::subscriptions::{Plan, SubscriptionStatus};

/// Stores operators. Unique index `operators_email` on the normalised e-mail.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait OperatorRepository: Send + Sync {
    /// Inserts a new operator (stored at version 1). Errors: `Duplicate { index: "operators_email" }`.
    async fn create(&self, operator: &Operator) -> Result<Operator, RepoError>;
    /// The operator with that id. Errors: `NotFound`.
    async fn get(&self, id: OperatorId) -> Result<Operator, RepoError>;
    /// The operator with that normalised e-mail, if any.
    async fn find_by_email(&self, email: &Email) -> Result<Option<Operator>, RepoError>;
    /// Replaces the operator when its stored version equals `operator.version`; returns it with
    /// the new version. Errors: `Conflict` on a stale version (two logins racing on one TOTP
    /// code: only one wins), `NotFound`.
    async fn update(&self, operator: &Operator) -> Result<Operator, RepoError>;
    /// Every operator, by e-mail.
    async fn list(&self, page: PageRequest) -> Result<Page<Operator>, RepoError>;
}

/// Stores operator sessions. Unique index `operator_sessions_token` on the token hash.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait OperatorSessionRepository: Send + Sync {
    /// Inserts a session. Errors: `Duplicate`.
    async fn create(&self, session: &OperatorSession) -> Result<(), RepoError>;
    /// The session whose cookie value hashes to `token_hash`, if any (live or not).
    async fn find_by_token_hash(&self, token_hash: &str) -> Result<Option<OperatorSession>, RepoError>;
    /// Revokes the session at `at` if it is not revoked yet; whether it was.
    async fn revoke(&self, id: OperatorSessionId, at: OffsetDateTime) -> Result<bool, RepoError>;
    /// Revokes every unrevoked session of the operator; how many.
    async fn revoke_all(&self, operator: OperatorId, at: OffsetDateTime) -> Result<u64, RepoError>;
    /// Deletes sessions that expired before `before`; how many.
    async fn delete_expired(&self, before: OffsetDateTime) -> Result<u64, RepoError>;
}

/// The append-only backoffice audit trail. There is no update; deleting is only by age.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait OperatorAuditRepository: Send + Sync {
    /// Appends an entry.
    async fn append(&self, entry: &OperatorAuditEntry) -> Result<(), RepoError>;
    /// Entries matching `filter`, newest first.
    async fn list(
        &self,
        filter: &OperatorAuditFilter,
        page: PageRequest,
    ) -> Result<Page<OperatorAuditEntry>, RepoError>;
    /// Deletes up to `batch` entries older than `before` (the retention workflow); how many.
    async fn delete_older_than(&self, before: OffsetDateTime, batch: u64) -> Result<u64, RepoError>;
}

/// Counts requests per key over a sliding window, in the store, so every instance shares the
/// count (the backoffice's login and list limits).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait HitCounter: Send + Sync {
    /// Records a hit on `key` at `at`, then returns how many hits `key` has in `(at - window, at]`,
    /// this one included. Recording first means racing callers all see each other's hits.
    async fn hit(&self, key: &str, at: OffsetDateTime, window: time::Duration) -> Result<u64, RepoError>;
    /// How many hits `key` has in `(at - window, at]`, without recording one.
    async fn count(&self, key: &str, at: OffsetDateTime, window: time::Duration) -> Result<u64, RepoError>;
    /// Forgets the hits of `key` (a successful login clears its e-mail's failures).
    async fn clear(&self, key: &str) -> Result<(), RepoError>;
    /// Deletes hits older than `before`; how many.
    async fn delete_older_than(&self, before: OffsetDateTime) -> Result<u64, RepoError>;
}

/// Which users have what, read across the `subscriptions` and `bots` collections: the joins
/// behind the operators' user-list filters. Each answer is bounded: `None` when more than `limit`
/// documents match (the caller asks the operator to narrow the filter).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserFacetRepository: Send + Sync {
    /// The users whose subscription is on `plan` and/or in `status` (both `None`: every
    /// subscribed user), or `None` when more than `limit` subscriptions match.
    async fn subscribed(
        &self,
        plan: Option<Plan>,
        status: Option<SubscriptionStatus>,
        limit: u64,
    ) -> Result<Option<Vec<UserId>>, RepoError>;
    /// The distinct owners of the bots in `status`, or `None` when more than `limit` bots match.
    async fn bot_owners(&self, status: BotStatus, limit: u64) -> Result<Option<Vec<UserId>>, RepoError>;
    /// The distinct owners of the trading contexts in `mode` (live or paper), or `None` when more
    /// than `limit` contexts match.
    async fn context_owners(&self, mode: ContextMode, limit: u64) -> Result<Option<Vec<UserId>>, RepoError>;
}
