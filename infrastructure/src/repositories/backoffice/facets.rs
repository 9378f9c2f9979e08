//! [`UserFacetRepository`] over a [`DocumentStore`]: reads the owners out of `subscriptions`,
//! `bots` and `contexts` for the operators' user-list filters, through those collections' indexes
//! (`subscriptions_plan`, `subscriptions_status`, `bots_status_kind`, `contexts_mode`).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use domain::backoffice::UserFacetRepository;
use domain::bots::BotStatus;
use domain::contexts::ContextMode;
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, SubscriptionStatus};
use domain::RepoError;
use serde::Deserialize;

use crate::repositories::codec::{self, value_of};
use crate::repositories::{StoreBotRepository, StoreContextRepository, StoreSubscriptionRepository};
use crate::store::{DocumentStore, Query};

/// The one field read from each matching document.
#[derive(Deserialize)]
struct Owner {
    user_id: UserId,
}

/// User facets in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreUserFacets {
    store: Arc<dyn DocumentStore>,
}

impl StoreUserFacets {
    /// The facets over `store` (the indexes are the subscriptions' and bots' own).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// The distinct owners of the documents `query` matches in `coll`, or `None` past `limit`.
    async fn owners(&self, coll: &str, query: Query, limit: u64) -> Result<Option<Vec<UserId>>, RepoError> {
        let found: Vec<Owner> = codec::find_all(&*self.store, coll, &query.limit(limit.saturating_add(1))).await?;
        if found.len() as u64 > limit {
            return Ok(None);
        }
        let distinct: BTreeSet<UserId> = found.into_iter().map(|o| o.user_id).collect();
        Ok(Some(distinct.into_iter().collect()))
    }
}

#[async_trait]
impl UserFacetRepository for StoreUserFacets {
    async fn subscribed(
        &self,
        plan: Option<Plan>,
        status: Option<SubscriptionStatus>,
        limit: u64,
    ) -> Result<Option<Vec<UserId>>, RepoError> {
        let mut query = Query::all();
        // The equality on the index's first field comes first: `subscriptions_status` leads with
        // the status, `subscriptions_plan` with the plan.
        if let Some(status) = status {
            query = query.eq("status", value_of(&status));
        }
        if let Some(plan) = plan {
            query = query.eq("plan", value_of(&plan));
        }
        if plan.is_none() && status.is_none() {
            query = query.gte("user_id", "");
        }
        self.owners(StoreSubscriptionRepository::COLLECTION, query, limit).await
    }

    async fn bot_owners(&self, status: BotStatus, limit: u64) -> Result<Option<Vec<UserId>>, RepoError> {
        let query = Query::all().eq("status", value_of(&status));
        self.owners(StoreBotRepository::COLLECTION, query, limit).await
    }

    async fn context_owners(&self, mode: ContextMode, limit: u64) -> Result<Option<Vec<UserId>>, RepoError> {
        let query = Query::all().eq("mode", value_of(&mode));
        self.owners(StoreContextRepository::COLLECTION, query, limit).await
    }
}
