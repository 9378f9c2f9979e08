//! [`UsageCounter`] over a [`DocumentStore`]: counts a user's trading contexts and bots in the
//! collections their repositories write (`contexts`, `bots`; bots that were deleted do not count).
//! botfleet has no chat feature yet, so no chat message is ever counted.

use std::sync::Arc;

use application::contexts::RunningBots;
use application::subscriptions::{UsageCounter, UsageCounts};
use async_trait::async_trait;
use domain::shared::ids::{ContextId, UserId};
use domain::RepoError;

use crate::store::{DocumentStore, Query};

/// The collection trading contexts live in.
pub const CONTEXTS: &str = "contexts";
/// The collection bots live in.
pub const BOTS: &str = "bots";

/// Usage counted in the store.
#[derive(Debug, Clone)]
pub struct StoreUsageCounter {
    store: Arc<dyn DocumentStore>,
}

impl StoreUsageCounter {
    /// Counts in `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl UsageCounter for StoreUsageCounter {
    async fn usage(&self, user: UserId) -> Result<UsageCounts, RepoError> {
        let mine = Query::all().eq("user_id", user.to_string());
        let contexts = self.store.count(CONTEXTS, &mine).await?;
        let bots = self.store.count(BOTS, &mine.ne("status", "deleted")).await?;
        Ok(UsageCounts { contexts, bots })
    }
}

/// Running bots per context, counted in the [`BOTS`] collection.
#[derive(Debug, Clone)]
pub struct StoreRunningBots {
    store: Arc<dyn DocumentStore>,
}

impl StoreRunningBots {
    /// Counts in `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl RunningBots for StoreRunningBots {
    async fn running_in(&self, context: ContextId) -> Result<u64, RepoError> {
        let query = Query::all().eq("context_id", context.to_string()).eq("status", "running");
        self.store.count(BOTS, &query).await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::sqlite::SqliteStore;

    #[tokio::test]
    async fn counts_only_the_users_contexts_and_live_bots() {
        let store: Arc<dyn DocumentStore> = Arc::new(SqliteStore::in_memory());
        let (ana, bob) = (UserId::new(), UserId::new());
        for (coll, id, user, status) in [
            (CONTEXTS, "c1", ana, "active"),
            (CONTEXTS, "c2", bob, "active"),
            (BOTS, "b1", ana, "running"),
            (BOTS, "b2", ana, "deleted"),
            (BOTS, "b3", ana, "paused"),
        ] {
            let doc = json!({"_id": id, "user_id": user.to_string(), "status": status, "version": 1});
            store.insert(coll, doc.as_object().unwrap().clone()).await.unwrap();
        }
        let usage = StoreUsageCounter::new(store).usage(ana).await.unwrap();
        assert_eq!(usage, UsageCounts { contexts: 1, bots: 2 });
    }
}
