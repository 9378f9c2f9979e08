//! [`HitCounter`] over a [`DocumentStore`]: collection `rate_hits`, one document per request
//! (`key`, `at`), counted over a sliding window. Every instance on the store shares the counts.

use std::sync::Arc;

use async_trait::async_trait;
use domain::backoffice::HitCounter;
use domain::RepoError;
use serde::Serialize;
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, to_millis};
use crate::store::{DocumentStore, IndexSpec, Query};

/// One recorded request.
#[derive(Serialize)]
struct HitDocument<'a> {
    #[serde(rename = "_id")]
    id: String,
    key: &'a str,
    #[serde(with = "millis")]
    at: OffsetDateTime,
}

/// Store-backed request counters.
#[derive(Debug, Clone)]
pub struct StoreHitCounter {
    store: Arc<dyn DocumentStore>,
}

impl StoreHitCounter {
    /// The collection.
    pub const COLLECTION: &'static str = "rate_hits";
    /// Its indexes: the count's (key, time) and the clean-up's (time).
    pub const INDEXES: &'static [IndexSpec] =
        &[IndexSpec::plain("rate_hits_key_at", &["key", "at"]), IndexSpec::plain("rate_hits_at", &["at"])];

    /// The counter over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    fn window(key: &str, at: OffsetDateTime, window: time::Duration) -> Query {
        Query::all().eq("key", key).gt("at", to_millis(at - window)).lte("at", to_millis(at))
    }
}

#[async_trait]
impl HitCounter for StoreHitCounter {
    async fn hit(&self, key: &str, at: OffsetDateTime, window: time::Duration) -> Result<u64, RepoError> {
        let hit = HitDocument { id: ulid::Ulid::new().to_string(), key, at };
        codec::insert(&*self.store, Self::COLLECTION, &hit).await?;
        self.store.count(Self::COLLECTION, &Self::window(key, at, window)).await
    }

    async fn count(&self, key: &str, at: OffsetDateTime, window: time::Duration) -> Result<u64, RepoError> {
        self.store.count(Self::COLLECTION, &Self::window(key, at, window)).await
    }

    async fn clear(&self, key: &str) -> Result<(), RepoError> {
        codec::delete_matching(&*self.store, Self::COLLECTION, Query::all().eq("key", key).limit(1000)).await?;
        Ok(())
    }

    async fn delete_older_than(&self, before: OffsetDateTime) -> Result<u64, RepoError> {
        let query = Query::all().lt("at", to_millis(before)).limit(1000);
        codec::delete_matching(&*self.store, Self::COLLECTION, query).await
    }
}
