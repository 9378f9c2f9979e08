//! [`DeliveryRepository`] over a [`DocumentStore`]: collection `notification_deliveries`, one
//! document per delivery with its deterministic id (`<event id>:<channel>`) as `_id`, so a
//! repeated dispatch is a duplicate the store refuses and the repository ignores.

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::{Channel, Delivery, DeliveryRepository, DeliveryStatus, Event};
use domain::shared::ids::UserId;
use domain::RepoError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, to_millis, value_of};
use crate::store::{Doc, DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`Delivery`].
#[derive(Serialize, Deserialize)]
struct DeliveryDocument {
    #[serde(rename = "_id")]
    id: String,
    channel: Channel,
    user_id: UserId,
    event: Event,
    seq: u64,
    status: DeliveryStatus,
    attempts: u32,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    due_at: OffsetDateTime,
    last_error: Option<String>,
    #[serde(with = "millis_opt")]
    done_at: Option<OffsetDateTime>,
}

impl From<&Delivery> for DeliveryDocument {
    fn from(d: &Delivery) -> Self {
        Self {
            id: d.id.clone(),
            channel: d.channel,
            user_id: d.user_id,
            event: d.event.clone(),
            seq: d.seq,
            status: d.status,
            attempts: d.attempts,
            created_at: d.created_at,
            due_at: d.due_at,
            last_error: d.last_error.clone(),
            done_at: d.done_at,
        }
    }
}

impl From<DeliveryDocument> for Delivery {
    fn from(d: DeliveryDocument) -> Self {
        Delivery {
            id: d.id,
            channel: d.channel,
            user_id: d.user_id,
            event: d.event,
            seq: d.seq,
            status: d.status,
            attempts: d.attempts,
            created_at: d.created_at,
            due_at: d.due_at,
            last_error: d.last_error,
            done_at: d.done_at,
        }
    }
}

/// Deliveries in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreDeliveryRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreDeliveryRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "notification_deliveries";
    /// Its indexes: the senders' due query and the per-user batch.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("notification_deliveries_due", &["channel", "status", "due_at"]),
        IndexSpec::plain("notification_deliveries_user", &["user_id", "channel", "status", "seq"]),
    ];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    fn pending(channel: Channel) -> Query {
        Query::all().eq("channel", value_of(&channel)).eq("status", value_of(&DeliveryStatus::Pending))
    }
}

#[async_trait]
impl DeliveryRepository for StoreDeliveryRepository {
    async fn add(&self, deliveries: &[Delivery]) -> Result<u64, RepoError> {
        let mut new = 0;
        for delivery in deliveries {
            match codec::insert(&*self.store, Self::COLLECTION, &DeliveryDocument::from(delivery)).await {
                Ok(()) => new += 1,
                Err(RepoError::Duplicate { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(new)
    }

    async fn due(&self, channel: Channel, now: OffsetDateTime, limit: u64) -> Result<Vec<Delivery>, RepoError> {
        let query = Self::pending(channel).lte("due_at", to_millis(now)).asc("due_at").asc(ID).limit(limit);
        let found: Vec<DeliveryDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        Ok(found.into_iter().map(Delivery::from).collect())
    }

    async fn pending_of(&self, channel: Channel, user: UserId, limit: u64) -> Result<Vec<Delivery>, RepoError> {
        let query = Self::pending(channel).eq("user_id", user.to_string()).asc("seq").limit(limit);
        let found: Vec<DeliveryDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        Ok(found.into_iter().map(Delivery::from).collect())
    }

    async fn save(&self, delivery: &Delivery) -> Result<(), RepoError> {
        let doc = DeliveryDocument::from(delivery);
        let mut set = Doc::new();
        set.insert("status".into(), value_of(&doc.status));
        set.insert("attempts".into(), doc.attempts.into());
        set.insert("due_at".into(), to_millis(doc.due_at).into());
        set.insert("last_error".into(), doc.last_error.map_or(Value::Null, Value::from));
        set.insert("done_at".into(), doc.done_at.map_or(Value::Null, |at| to_millis(at).into()));
        let query = Query::all().eq(ID, delivery.id.as_str());
        match self.store.update_many_set(Self::COLLECTION, &query, set).await? {
            0 => Err(RepoError::NotFound),
            _ => Ok(()),
        }
    }

    async fn pending_count(&self, channel: Channel) -> Result<u64, RepoError> {
        self.store.count(Self::COLLECTION, &Self::pending(channel)).await
    }

    async fn delete_of(&self, user: UserId) -> Result<u64, RepoError> {
        let query = Query::all().eq("user_id", user.to_string());
        let mut deleted = 0;
        for doc in self.store.find(Self::COLLECTION, &query).await? {
            if self.store.delete(Self::COLLECTION, crate::store::doc_id(&doc)?).await? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}
