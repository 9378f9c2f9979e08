//! [`UserFacetRepository`] over a [`DocumentStore`]: collection `user_facets`, one document per
//! user (`_id` the user's id) holding what the operators' user list filters on (the
//! subscription's plan and status, whether a bot runs, whether a live or a paper context exists)
//! beside the user's own filter and sort keys (status, e-mail, creation time). Each facet filter
//! has an index per sort key, so a page of any filter is one index range on both engines, however
//! many users match. The documents are written by the repositories whose writes move a facet
//! (`super::faceted`) and completed at start-up by [`StoreUserFacets::backfill`].
//!
//! Flags are the texts `yes`/`no`, not booleans: the embedded store compares booleans by their
//! JSON type, which no index holds.

use std::sync::Arc;

use async_trait::async_trait;
use domain::backoffice::{UserFacetQuery, UserFacetRepository};
use domain::contexts::ContextMode;
use domain::identity::{UserSort, UserStatus};
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, SubscriptionStatus};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, to_millis, value_of};
use crate::store::{Doc, DocumentStore, IndexSpec, Query, ID};

/// A flag as stored.
pub(super) fn flag(on: bool) -> &'static str {
    if on {
        "yes"
    } else {
        "no"
    }
}

/// The stored facets of one user.
#[derive(Serialize, Deserialize)]
pub(super) struct FacetDocument {
    #[serde(rename = "_id")]
    pub(super) id: UserId,
    pub(super) email: String,
    pub(super) status: UserStatus,
    #[serde(with = "millis")]
    pub(super) created_at: OffsetDateTime,
    /// The subscription's plan; FREE without one.
    pub(super) plan: Plan,
    /// The subscription's status; null without one.
    pub(super) subscription_status: Option<SubscriptionStatus>,
    /// `yes` when a bot of the user runs.
    pub(super) running: String,
    /// `yes` when the user has a live context.
    pub(super) live: String,
    /// `yes` when the user has a paper context.
    pub(super) paper: String,
    pub(super) version: u64,
}

/// The id of a listed facet document.
#[derive(Deserialize)]
struct Listed {
    #[serde(rename = "_id")]
    id: UserId,
}

/// User facets in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreUserFacets {
    pub(super) store: Arc<dyn DocumentStore>,
    /// The running flag this process last read or wrote per user, so that a write of a running
    /// bot (the engine's, every cycle a bot changes) costs no facet read while the flag is known
    /// to agree. It only skips writes that would not move the flag; every status change and
    /// every disagreement recounts from the store. Entries live [`RUNNING_MEMO_TTL`].
    pub(super) running_seen: moka::sync::Cache<UserId, bool>,
}

/// How long a remembered running flag is trusted: another instance changing the flag always
/// recounts in the store, so an entry can only be stale about a facet write that failed there.
const RUNNING_MEMO_TTL: std::time::Duration = std::time::Duration::from_secs(60);
/// Users whose running flag is remembered at most.
const RUNNING_MEMO_USERS: u64 = 100_000;

impl StoreUserFacets {
    /// The collection.
    pub const COLLECTION: &'static str = "user_facets";
    /// Its indexes: each facet filter with each sort key (creation time, e-mail).
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("user_facets_plan_created", &["plan", "created_at"]),
        IndexSpec::plain("user_facets_plan_email", &["plan", "email"]),
        IndexSpec::plain("user_facets_subscription_created", &["subscription_status", "created_at"]),
        IndexSpec::plain("user_facets_subscription_email", &["subscription_status", "email"]),
        IndexSpec::plain("user_facets_running_created", &["running", "created_at"]),
        IndexSpec::plain("user_facets_running_email", &["running", "email"]),
        IndexSpec::plain("user_facets_live_created", &["live", "created_at"]),
        IndexSpec::plain("user_facets_live_email", &["live", "email"]),
        IndexSpec::plain("user_facets_paper_created", &["paper", "created_at"]),
        IndexSpec::plain("user_facets_paper_email", &["paper", "email"]),
    ];

    /// The facets over `store` (see [`crate::repositories::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        let running_seen =
            moka::sync::Cache::builder().max_capacity(RUNNING_MEMO_USERS).time_to_live(RUNNING_MEMO_TTL).build();
        Self { store, running_seen }
    }

    /// Sets `set` on `user`'s facets; when the user has none yet, builds them whole from the
    /// collections they summarise. A user that does not exist (yet) is left alone.
    pub(super) async fn set(&self, user: UserId, set: Doc) -> Result<(), RepoError> {
        let by_id = Query::all().eq(ID, user.to_string());
        for _ in 0..2 {
            if self.store.update_many_set(Self::COLLECTION, &by_id, set.clone()).await? == 1 {
                return Ok(());
            }
            let Some(built) = self.build(&[user]).await?.pop() else { return Ok(()) };
            match codec::insert(&*self.store, Self::COLLECTION, &built).await {
                // Written meanwhile by another writer: set ours over it on the next round.
                Err(RepoError::Duplicate { .. }) => continue,
                other => return other,
            }
        }
        Err(RepoError::Conflict)
    }

    /// `user`'s stored facets, if any.
    pub(super) async fn get(&self, user: UserId) -> Result<Option<FacetDocument>, RepoError> {
        codec::get(&*self.store, Self::COLLECTION, &user.to_string()).await
    }
}

#[async_trait]
impl UserFacetRepository for StoreUserFacets {
    async fn list(&self, q: &UserFacetQuery, page: PageRequest) -> Result<Page<UserId>, RepoError> {
        // The facet equalities lead: each is the first field of its indexes. The first one set
        // names the index of the page (its `_created` or `_email` twin, by the order), so SQLite
        // walks that index in order and stops at the page's end, rather than picking the e-mail
        // range of a prefix and sorting every match (it keeps no statistics to choose better).
        let mut query = Query::all();
        let mut lead: Option<[&'static str; 2]> = None;
        if let Some(plan) = q.plan {
            query = query.eq("plan", value_of(&plan));
            lead = lead.or(Some(["user_facets_plan_created", "user_facets_plan_email"]));
        }
        if let Some(status) = q.subscription_status {
            query = query.eq("subscription_status", value_of(&status));
            lead = lead.or(Some(["user_facets_subscription_created", "user_facets_subscription_email"]));
        }
        if let Some(running) = q.has_running_bots {
            query = query.eq("running", flag(running));
            lead = lead.or(Some(["user_facets_running_created", "user_facets_running_email"]));
        }
        match q.mode {
            Some(ContextMode::Live) => {
                query = query.eq("live", flag(true));
                lead = lead.or(Some(["user_facets_live_created", "user_facets_live_email"]));
            }
            Some(ContextMode::Paper) => {
                query = query.eq("paper", flag(true));
                lead = lead.or(Some(["user_facets_paper_created", "user_facets_paper_email"]));
            }
            None => {}
        }
        let users = &q.users;
        if let Some(status) = users.status {
            query = query.eq("status", value_of(&status));
        }
        if let Some(prefix) = &users.email_prefix {
            query = query.gte("email", prefix.as_str()).lt("email", format!("{prefix}\u{10FFFF}"));
        }
        if let Some(from) = users.created_from {
            query = query.gte("created_at", to_millis(from));
        }
        if let Some(to) = users.created_to {
            query = query.lt("created_at", to_millis(to));
        }
        let (query, by_email) = match users.sort {
            UserSort::CreatedAsc => (query.asc("created_at").asc(ID), false),
            UserSort::CreatedDesc => (query.desc("created_at").desc(ID), false),
            UserSort::EmailAsc => (query.asc("email"), true),
        };
        let query = match lead {
            Some([created, email]) => query.hint(if by_email { email } else { created }),
            None => query,
        };
        codec::page::<Listed, _>(&*self.store, Self::COLLECTION, query, page, |l| l.id).await
    }
}
