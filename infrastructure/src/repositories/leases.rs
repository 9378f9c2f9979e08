//! [`LeaseRepository`] over a [`DocumentStore`]: collection `leases`, one document per lease name
//! (`_id`). A new lease is taken by `insert` (the unique `_id` lets exactly one concurrent insert
//! win); an expired or own lease is taken over by `replace` under the version read (exactly one
//! concurrent replace wins). Released leases stay as expired documents, so release never deletes
//! a lease someone else has just taken.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::leases::LeaseRepository;
use domain::RepoError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec};

/// How many times a write that lost a race is re-decided from a fresh read; each lost race means
/// another holder took the lease, so more attempts only matter for a holder racing itself.
const ATTEMPTS: usize = 3;

/// The stored form of a lease.
#[derive(Serialize, Deserialize)]
struct LeaseDocument {
    #[serde(rename = "_id")]
    name: String,
    holder: String,
    #[serde(with = "millis")]
    acquired_at: OffsetDateTime,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
    version: u64,
}

/// Leases in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreLeaseRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreLeaseRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "leases";
    /// Its indexes (the `_id` is the lease name; nothing else is looked up).
    pub const INDEXES: &'static [IndexSpec] = &[];

    /// The repository over `store` (see [`super::Repositories::on`] for the collection).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

/// `now + ttl`, saturating far in the future.
fn expiry(now: OffsetDateTime, ttl: Duration) -> OffsetDateTime {
    let ttl = time::Duration::try_from(ttl).unwrap_or(time::Duration::MAX);
    now.checked_add(ttl).unwrap_or(OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT))
}

#[async_trait]
impl LeaseRepository for StoreLeaseRepository {
    async fn try_acquire(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        let wanted = |version| LeaseDocument {
            name: name.to_owned(),
            holder: holder.to_owned(),
            acquired_at: now,
            expires_at: expiry(now, ttl),
            version,
        };
        for _ in 0..ATTEMPTS {
            let current: Option<LeaseDocument> = codec::get(&*self.store, Self::COLLECTION, name).await?;
            let result = match current {
                None => {
                    codec::insert(&*self.store, Self::COLLECTION, &wanted(FIRST_VERSION)).await.map(|()| FIRST_VERSION)
                }
                Some(lease) if lease.holder == holder || lease.expires_at <= now => {
                    codec::replace(&*self.store, Self::COLLECTION, &wanted(lease.version), lease.version).await
                }
                Some(_) => return Ok(false),
            };
            match result {
                Ok(_) => return Ok(true),
                // Someone wrote between our read and our write: decide again on what they wrote.
                Err(RepoError::Duplicate { .. } | RepoError::Conflict | RepoError::NotFound) => continue,
                Err(err) => return Err(err),
            }
        }
        Ok(false)
    }

    async fn release(&self, name: &str, holder: &str) -> Result<bool, RepoError> {
        let current: Option<LeaseDocument> = codec::get(&*self.store, Self::COLLECTION, name).await?;
        let Some(lease) = current.filter(|lease| lease.holder == holder) else { return Ok(false) };
        let expired = LeaseDocument { expires_at: OffsetDateTime::UNIX_EPOCH, ..lease };
        match codec::replace(&*self.store, Self::COLLECTION, &expired, expired.version).await {
            Ok(_) => Ok(true),
            // It changed hands (it had expired and was taken) since we read it: not ours any more.
            Err(RepoError::Conflict | RepoError::NotFound) => Ok(false),
            Err(err) => Err(err),
        }
    }
}
