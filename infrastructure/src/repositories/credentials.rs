//! [`CredentialRepository`] over a [`DocumentStore`]: collection `credentials`, unique index
//! `credentials_user_exchange`. Every read, update and delete checks the owner: another user's
//! credential is `NotFound`.

use std::sync::Arc;

use async_trait::async_trait;
use domain::credentials::{
    ApiKeyLast4, CredentialRepository, CredentialStatus, EncryptedValue, ExchangeCredential, ExchangeId,
};
use domain::notifications::{EventRepository as _, Outbox};
use domain::shared::ids::{CredentialId, UserId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, value_of, FIRST_VERSION};
use super::outbox::RelayNudge;
use crate::notifications::StoreEventRepository;
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of an [`ExchangeCredential`]; the key and secret stay encrypted.
#[derive(Serialize, Deserialize)]
struct CredentialDocument {
    #[serde(rename = "_id")]
    id: CredentialId,
    user_id: UserId,
    exchange: ExchangeId,
    api_key: EncryptedValue,
    api_secret: EncryptedValue,
    key_last4: String,
    testnet: bool,
    status: CredentialStatus,
    status_reason: Option<String>,
    #[serde(with = "millis_opt")]
    validated_at: Option<OffsetDateTime>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    #[serde(default, with = "super::outbox::text", skip_serializing_if = "Outbox::is_empty")]
    outbox: Outbox,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outbox_at: Option<i64>,
    version: u64,
}

impl From<&ExchangeCredential> for CredentialDocument {
    fn from(c: &ExchangeCredential) -> Self {
        Self {
            id: c.id,
            user_id: c.user_id,
            exchange: c.exchange,
            api_key: c.api_key.clone(),
            api_secret: c.api_secret.clone(),
            key_last4: c.key_last4.as_str().to_owned(),
            testnet: c.testnet,
            status: c.status,
            status_reason: c.status_reason.clone(),
            validated_at: c.validated_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
            outbox: c.outbox.clone(),
            outbox_at: super::outbox::waiting_since(&c.outbox),
            version: c.version,
        }
    }
}

impl From<CredentialDocument> for ExchangeCredential {
    fn from(d: CredentialDocument) -> Self {
        ExchangeCredential {
            id: d.id,
            user_id: d.user_id,
            exchange: d.exchange,
            api_key: d.api_key,
            api_secret: d.api_secret,
            key_last4: ApiKeyLast4::from_stored(d.key_last4),
            testnet: d.testnet,
            status: d.status,
            status_reason: d.status_reason,
            validated_at: d.validated_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            outbox: d.outbox,
            version: d.version,
        }
    }
}

/// Exchange credentials in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreCredentialRepository {
    store: Arc<dyn DocumentStore>,
    nudge: RelayNudge,
}

impl StoreCredentialRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "credentials";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("credentials_user_exchange", &["user_id", "exchange"]),
        IndexSpec::plain("credentials_created", &["created_at"]),
        // The relay's query: credentials whose outbox holds events.
        IndexSpec::plain("credentials_outbox", &["outbox_at"]),
    ];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store, nudge: RelayNudge::default() }
    }

    /// The same, waking `nudge` after each write that carries events.
    pub fn with_nudge(self, nudge: RelayNudge) -> Self {
        Self { nudge, ..self }
    }

    /// The stored credential with that id when `owner` owns it.
    async fn owned(&self, owner: UserId, id: CredentialId) -> Result<CredentialDocument, RepoError> {
        let found: Option<CredentialDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.filter(|d| d.user_id == owner).ok_or(RepoError::NotFound)
    }
}

#[async_trait]
impl CredentialRepository for StoreCredentialRepository {
    async fn create(&self, credential: &ExchangeCredential) -> Result<ExchangeCredential, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &CredentialDocument::from(credential)).await?;
        self.nudge.after_write(&credential.outbox);
        Ok(ExchangeCredential { version: FIRST_VERSION, ..credential.clone() })
    }

    async fn get(&self, owner: UserId, id: CredentialId) -> Result<ExchangeCredential, RepoError> {
        self.owned(owner, id).await.map(ExchangeCredential::from)
    }

    async fn find_for_exchange(
        &self,
        owner: UserId,
        exchange: ExchangeId,
    ) -> Result<Option<ExchangeCredential>, RepoError> {
        let query = Query::all().eq("user_id", owner.to_string()).eq("exchange", value_of(&exchange));
        let found: Option<CredentialDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        Ok(found.map(ExchangeCredential::from))
    }

    async fn update(&self, credential: &ExchangeCredential) -> Result<ExchangeCredential, RepoError> {
        // The owner never changes, so checking it first cannot race with the replace.
        self.owned(credential.user_id, credential.id).await?;
        let document = CredentialDocument::from(credential);
        let version = codec::replace(&*self.store, Self::COLLECTION, &document, credential.version).await?;
        self.nudge.after_write(&credential.outbox);
        Ok(ExchangeCredential { version, ..credential.clone() })
    }

    async fn delete(&self, owner: UserId, id: CredentialId) -> Result<(), RepoError> {
        let stored = ExchangeCredential::from(self.owned(owner, id).await?);
        // Events the credential raised but the relay has not moved yet outlive it, in the queue.
        StoreEventRepository::new(self.store.clone()).enqueue(stored.outbox.events()).await?;
        match self.store.delete(Self::COLLECTION, &id.to_string()).await? {
            true => Ok(()),
            false => Err(RepoError::NotFound),
        }
    }

    async fn list(
        &self,
        owner: UserId,
        exchange: Option<ExchangeId>,
        page: PageRequest,
    ) -> Result<Page<ExchangeCredential>, RepoError> {
        let mut query = Query::all().eq("user_id", owner.to_string());
        if let Some(exchange) = exchange {
            query = query.eq("exchange", value_of(&exchange));
        }
        let query = query.asc("created_at").asc(ID);
        codec::page::<CredentialDocument, _>(&*self.store, Self::COLLECTION, query, page, ExchangeCredential::from)
            .await
    }

    async fn list_all(&self, page: PageRequest) -> Result<Page<ExchangeCredential>, RepoError> {
        let query = Query::all().asc("created_at").asc(ID);
        codec::page::<CredentialDocument, _>(&*self.store, Self::COLLECTION, query, page, ExchangeCredential::from)
            .await
    }
}
