//! The backoffice's storage ports: operators, their sessions, the audit trail and the
//! store-backed request counters behind the backoffice rate limits, and the user facets behind
//! the user-list filters.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{Operator, OperatorAuditEntry, OperatorAuditFilter, OperatorSession};
use crate::contexts::ContextMode;
use crate::identity::{Email, UserFilter};
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

/// The filters of the operators' user list: the users' own, and their facets (plan and
/// subscription status, running bots, live or paper contexts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFacetQuery {
    /// The users' own filters (status, e-mail prefix, creation window) and the order; its `ids`,
    /// `not_ids` and `role` are not read by [`UserFacetRepository::list`].
    pub users: UserFilter,
    /// Only users on this plan (their subscription's plan; FREE for users without one).
    pub plan: Option<Plan>,
    /// Only users whose subscription is in this state (users without one never match).
    pub subscription_status: Option<SubscriptionStatus>,
    /// Only users with (`true`) or without (`false`) a running bot.
    pub has_running_bots: Option<bool>,
    /// Only users with a trading context in this mode (live or paper).
    pub mode: Option<ContextMode>,
}

impl UserFacetQuery {
    /// Whether a facet filter is set (else the users' own collection answers alone).
    pub fn has_facets(&self) -> bool {
        self.plan.is_some()
            || self.subscription_status.is_some()
            || self.has_running_bots.is_some()
            || self.mode.is_some()
    }
}

/// Each user's facets kept beside the user (plan and subscription status, whether a bot runs,
/// whether a live or paper context exists, and the user's own filter and sort keys), written by
/// the writes that change them: the operators' user list pages through one index of them.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserFacetRepository: Send + Sync {
    /// A page of the ids of the users matching `query`, in its order, with the total.
    async fn list(&self, query: &UserFacetQuery, page: PageRequest) -> Result<Page<UserId>, RepoError>;
}
