//! [`WebhookDeliveryRepository`] over a [`DocumentStore`]: collection `webhook_deliveries` (id
//! `<event id>:<endpoint id>`, so inserting a delivery twice is a harmless `Duplicate`), and the
//! dispatcher's cursor, one document of collection `dispatch_cursors`.

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::EventType;
use domain::shared::ids::{EventId, UserId};
use domain::webhooks::{Attempt, Delivery, DeliveryStatus, WebhookDeliveryRepository, WebhookEndpointId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, millis_opt, value_of, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`Delivery`].
#[derive(Serialize, Deserialize)]
struct DeliveryDocument {
    #[serde(rename = "_id")]
    id: String,
    user_id: UserId,
    endpoint_id: WebhookEndpointId,
    event_id: EventId,
    event_type: EventType,
    body: String,
    status: DeliveryStatus,
    attempts: Vec<AttemptDocument>,
    attempt_count: u32,
    #[serde(with = "millis_opt")]
    next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    version: u64,
}

/// The stored form of an [`Attempt`].
#[derive(Serialize, Deserialize)]
struct AttemptDocument {
    #[serde(with = "millis")]
    at: OffsetDateTime,
    status: Option<u16>,
    latency_ms: u64,
    response: Option<String>,
    error: Option<String>,
    manual: bool,
}

impl From<&Delivery> for DeliveryDocument {
    fn from(d: &Delivery) -> Self {
        let attempts = d
            .attempts
            .iter()
            .map(|a| AttemptDocument {
                at: a.at,
                status: a.status,
                latency_ms: a.latency_ms,
                response: a.response.clone(),
                error: a.error.clone(),
                manual: a.manual,
            })
            .collect();
        Self {
            id: d.id.clone(),
            user_id: d.user_id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            event_type: d.event_type,
            body: d.body.clone(),
            status: d.status,
            attempts,
            attempt_count: d.attempt_count,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

impl From<DeliveryDocument> for Delivery {
    fn from(d: DeliveryDocument) -> Self {
        let attempts = d
            .attempts
            .into_iter()
            .map(|a| Attempt {
                at: a.at,
                status: a.status,
                latency_ms: a.latency_ms,
                response: a.response,
                error: a.error,
                manual: a.manual,
            })
            .collect();
        Self {
            id: d.id,
            user_id: d.user_id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            event_type: d.event_type,
            body: d.body,
            status: d.status,
            attempts,
            attempt_count: d.attempt_count,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// The dispatcher's place in the event log.
#[derive(Serialize, Deserialize)]
struct CursorDocument {
    #[serde(rename = "_id")]
    id: String,
    seq: u64,
    version: u64,
}

/// The id of the webhook dispatcher's cursor.
const CURSOR_ID: &str = "webhook";

/// Deletes every document of `coll` matching `query`, page by page; how many.
pub(super) async fn delete_matching(store: &dyn DocumentStore, coll: &str, query: Query) -> Result<u64, RepoError> {
    let mut deleted = 0;
    loop {
        let docs = store.find(coll, &query.clone().asc(ID).limit(500)).await?;
        if docs.is_empty() {
            return Ok(deleted);
        }
        for doc in docs {
            let id = doc.get(ID).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
            if store.delete(coll, &id).await? {
                deleted += 1;
            }
        }
    }
}

/// Webhook deliveries in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreDeliveryRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreDeliveryRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "webhook_deliveries";
    /// The dispatch cursors' collection.
    pub const CURSORS: &'static str = "dispatch_cursors";
    /// Its indexes: the sender's due query, an endpoint's listing, the owner's erasure.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("webhook_deliveries_due", &["status", "next_attempt_at"]),
        IndexSpec::plain("webhook_deliveries_endpoint", &["endpoint_id", "created_at"]),
        IndexSpec::plain("webhook_deliveries_user", &["user_id"]),
    ];

    /// The repository over `store` (see [`super::repositories`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    fn pending() -> Query {
        Query::all().eq("status", value_of(&DeliveryStatus::Pending))
    }
}

#[async_trait]
impl WebhookDeliveryRepository for StoreDeliveryRepository {
    async fn insert(&self, delivery: &Delivery) -> Result<bool, RepoError> {
        match codec::insert(&*self.store, Self::COLLECTION, &DeliveryDocument::from(delivery)).await {
            Ok(()) => Ok(true),
            Err(RepoError::Duplicate { .. }) => Ok(false),
            Err(err) => Err(err),
        }
    }

    async fn get(&self, owner: UserId, id: &str) -> Result<Delivery, RepoError> {
        let found: Option<DeliveryDocument> = codec::get(&*self.store, Self::COLLECTION, id).await?;
        found.filter(|d| d.user_id == owner).map(Delivery::from).ok_or(RepoError::NotFound)
    }

    async fn list(
        &self,
        owner: UserId,
        endpoint: WebhookEndpointId,
        page: PageRequest,
    ) -> Result<Page<Delivery>, RepoError> {
        let query = Query::all()
            .eq("endpoint_id", endpoint.to_string())
            .eq("user_id", owner.to_string())
            .desc("created_at")
            .desc(ID);
        codec::page::<DeliveryDocument, _>(&*self.store, Self::COLLECTION, query, page, Delivery::from).await
    }

    async fn due(
        &self,
        now: OffsetDateTime,
        limit: u64,
        skip: &[WebhookEndpointId],
    ) -> Result<Vec<Delivery>, RepoError> {
        let mut query = Self::pending().lte("next_attempt_at", codec::to_millis(now));
        if !skip.is_empty() {
            // Checked on the index's rows (`webhook_deliveries_due` serves the range and the order).
            query = query.not_in("endpoint_id", skip.iter().map(ToString::to_string));
        }
        let query = query.asc("next_attempt_at").asc(ID).limit(limit);
        let docs: Vec<DeliveryDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        Ok(docs.into_iter().map(Delivery::from).collect())
    }

    async fn pending_count(&self) -> Result<u64, RepoError> {
        self.store.count(Self::COLLECTION, &Self::pending()).await
    }

    async fn update(&self, delivery: &Delivery) -> Result<Delivery, RepoError> {
        let document = DeliveryDocument::from(delivery);
        let version = codec::replace(&*self.store, Self::COLLECTION, &document, delivery.version).await?;
        Ok(Delivery { version, ..delivery.clone() })
    }

    async fn delete_of_endpoint(&self, owner: UserId, endpoint: WebhookEndpointId) -> Result<u64, RepoError> {
        let query = Query::all().eq("endpoint_id", endpoint.to_string()).eq("user_id", owner.to_string());
        delete_matching(&*self.store, Self::COLLECTION, query).await
    }

    async fn delete_of(&self, owner: UserId) -> Result<u64, RepoError> {
        delete_matching(&*self.store, Self::COLLECTION, Query::all().eq("user_id", owner.to_string())).await
    }

    async fn cursor(&self) -> Result<u64, RepoError> {
        let found: Option<CursorDocument> = codec::get(&*self.store, Self::CURSORS, CURSOR_ID).await?;
        Ok(found.map_or(0, |c| c.seq))
    }

    async fn set_cursor(&self, seq: u64) -> Result<(), RepoError> {
        let found: Option<CursorDocument> = codec::get(&*self.store, Self::CURSORS, CURSOR_ID).await?;
        let wanted = |version| CursorDocument { id: CURSOR_ID.to_owned(), seq, version };
        match found {
            None => codec::insert(&*self.store, Self::CURSORS, &wanted(FIRST_VERSION)).await,
            Some(current) => {
                codec::replace(&*self.store, Self::CURSORS, &wanted(current.version), current.version).await.map(drop)
            }
        }
    }
}
