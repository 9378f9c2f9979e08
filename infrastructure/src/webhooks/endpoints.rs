//! [`WebhookEndpointRepository`] over a [`DocumentStore`]: collection `webhook_endpoints`. Every
//! read, update and delete checks the owner: another user's endpoint is `NotFound`. The secret
//! stays encrypted.

use std::sync::Arc;

use async_trait::async_trait;
use domain::credentials::EncryptedValue;
use domain::shared::ids::UserId;
use domain::webhooks::{EndpointUrl, EventSelection, WebhookEndpoint, WebhookEndpointId, WebhookEndpointRepository};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, millis_opt, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`WebhookEndpoint`].
#[derive(Serialize, Deserialize)]
struct EndpointDocument {
    #[serde(rename = "_id")]
    id: WebhookEndpointId,
    user_id: UserId,
    url: String,
    events: EventSelection,
    description: Option<String>,
    secret: EncryptedValue,
    enabled: bool,
    disabled_reason: Option<String>,
    #[serde(with = "millis_opt")]
    failing_since: Option<OffsetDateTime>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    version: u64,
}

impl From<&WebhookEndpoint> for EndpointDocument {
    fn from(e: &WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            user_id: e.user_id,
            url: e.url.as_str().to_owned(),
            events: e.events.clone(),
            description: e.description.clone(),
            secret: e.secret.clone(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since,
            created_at: e.created_at,
            updated_at: e.updated_at,
            version: e.version,
        }
    }
}

impl From<EndpointDocument> for WebhookEndpoint {
    fn from(d: EndpointDocument) -> Self {
        Self {
            id: d.id,
            user_id: d.user_id,
            url: EndpointUrl::from_stored(d.url),
            events: d.events,
            description: d.description,
            secret: d.secret,
            enabled: d.enabled,
            disabled_reason: d.disabled_reason,
            failing_since: d.failing_since,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// Webhook endpoints in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreEndpointRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreEndpointRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "webhook_endpoints";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[IndexSpec::plain("webhook_endpoints_user", &["user_id", "created_at"])];

    /// The repository over `store` (see [`super::repositories`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    async fn owned(&self, owner: UserId, id: WebhookEndpointId) -> Result<EndpointDocument, RepoError> {
        let found: Option<EndpointDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.filter(|d| d.user_id == owner).ok_or(RepoError::NotFound)
    }

    fn of(owner: UserId) -> Query {
        Query::all().eq("user_id", owner.to_string())
    }
}

#[async_trait]
impl WebhookEndpointRepository for StoreEndpointRepository {
    async fn create(&self, endpoint: &WebhookEndpoint) -> Result<WebhookEndpoint, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &EndpointDocument::from(endpoint)).await?;
        Ok(WebhookEndpoint { version: FIRST_VERSION, ..endpoint.clone() })
    }

    async fn get(&self, owner: UserId, id: WebhookEndpointId) -> Result<WebhookEndpoint, RepoError> {
        self.owned(owner, id).await.map(WebhookEndpoint::from)
    }

    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<WebhookEndpoint>, RepoError> {
        let query = Self::of(owner).asc("created_at").asc(ID);
        codec::page::<EndpointDocument, _>(&*self.store, Self::COLLECTION, query, page, WebhookEndpoint::from).await
    }

    async fn enabled_of(&self, owner: UserId) -> Result<Vec<WebhookEndpoint>, RepoError> {
        let query = Self::of(owner).eq("enabled", true).asc("created_at").asc(ID);
        let docs: Vec<EndpointDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        Ok(docs.into_iter().map(WebhookEndpoint::from).collect())
    }

    async fn count_of(&self, owner: UserId) -> Result<u64, RepoError> {
        self.store.count(Self::COLLECTION, &Self::of(owner)).await
    }

    async fn update(&self, endpoint: &WebhookEndpoint) -> Result<WebhookEndpoint, RepoError> {
        // The owner never changes, so checking it first cannot race with the replace.
        self.owned(endpoint.user_id, endpoint.id).await?;
        let document = EndpointDocument::from(endpoint);
        let version = codec::replace(&*self.store, Self::COLLECTION, &document, endpoint.version).await?;
        Ok(WebhookEndpoint { version, ..endpoint.clone() })
    }

    async fn delete(&self, owner: UserId, id: WebhookEndpointId) -> Result<(), RepoError> {
        self.owned(owner, id).await?;
        match self.store.delete(Self::COLLECTION, &id.to_string()).await? {
            true => Ok(()),
            false => Err(RepoError::NotFound),
        }
    }

    async fn delete_of(&self, owner: UserId) -> Result<u64, RepoError> {
        super::deliveries::delete_matching(&*self.store, Self::COLLECTION, Self::of(owner)).await
    }
}
