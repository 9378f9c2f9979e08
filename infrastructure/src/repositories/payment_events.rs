//! [`PaymentEventRepository`] over a [`DocumentStore`]: collection `payment_events`, unique index
//! `payment_events_provider_event` so each provider event is claimed once.

use std::sync::Arc;

use async_trait::async_trait;
use domain::shared::ids::{PaymentEventId, UserId};
use domain::subscriptions::{EventOutcome, PaymentEventRecord, PaymentEventRepository, PaymentProvider};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, value_of, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`PaymentEventRecord`].
#[derive(Serialize, Deserialize)]
struct PaymentEventDocument {
    #[serde(rename = "_id")]
    id: PaymentEventId,
    provider: PaymentProvider,
    event_id: String,
    event_type: String,
    user_id: Option<UserId>,
    outcome: EventOutcome,
    detail: Option<String>,
    deliveries: u32,
    #[serde(with = "millis")]
    received_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    version: u64,
}

impl From<&PaymentEventRecord> for PaymentEventDocument {
    fn from(e: &PaymentEventRecord) -> Self {
        Self {
            id: e.id,
            provider: e.provider,
            event_id: e.event_id.clone(),
            event_type: e.event_type.clone(),
            user_id: e.user_id,
            outcome: e.outcome,
            detail: e.detail.clone(),
            deliveries: e.deliveries,
            received_at: e.received_at,
            updated_at: e.updated_at,
            version: e.version,
        }
    }
}

impl From<PaymentEventDocument> for PaymentEventRecord {
    fn from(d: PaymentEventDocument) -> Self {
        PaymentEventRecord {
            id: d.id,
            provider: d.provider,
            event_id: d.event_id,
            event_type: d.event_type,
            user_id: d.user_id,
            outcome: d.outcome,
            detail: d.detail,
            deliveries: d.deliveries,
            received_at: d.received_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// Payment events in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StorePaymentEventRepository {
    store: Arc<dyn DocumentStore>,
}

impl StorePaymentEventRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "payment_events";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("payment_events_provider_event", &["provider", "event_id"]),
        IndexSpec::plain("payment_events_user", &["user_id", "received_at"]),
        IndexSpec::plain("payment_events_received", &["received_at"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl PaymentEventRepository for StorePaymentEventRepository {
    async fn create(&self, event: &PaymentEventRecord) -> Result<PaymentEventRecord, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &PaymentEventDocument::from(event)).await?;
        Ok(PaymentEventRecord { version: FIRST_VERSION, ..event.clone() })
    }

    async fn get(&self, provider: PaymentProvider, event_id: &str) -> Result<PaymentEventRecord, RepoError> {
        let query = Query::all().eq("provider", value_of(&provider)).eq("event_id", event_id.to_owned());
        let found: Option<PaymentEventDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        found.map(PaymentEventRecord::from).ok_or(RepoError::NotFound)
    }

    async fn update(&self, event: &PaymentEventRecord) -> Result<PaymentEventRecord, RepoError> {
        let version =
            codec::replace(&*self.store, Self::COLLECTION, &PaymentEventDocument::from(event), event.version).await?;
        Ok(PaymentEventRecord { version, ..event.clone() })
    }

    async fn list(&self, user: Option<UserId>, page: PageRequest) -> Result<Page<PaymentEventRecord>, RepoError> {
        let mut query = Query::all();
        if let Some(user) = user {
            query = query.eq("user_id", user.to_string());
        }
        let query = query.desc("received_at").desc(ID);
        codec::page::<PaymentEventDocument, _>(&*self.store, Self::COLLECTION, query, page, PaymentEventRecord::from)
            .await
    }
}
