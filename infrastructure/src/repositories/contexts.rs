//! [`ContextRepository`] over a [`DocumentStore`]: collection `contexts` (the one
//! [`super::CONTEXTS`] usage counts), unique index `contexts_user_market`.

use std::sync::Arc;

use async_trait::async_trait;
use domain::contexts::{ContextMode, ContextRepository, ContextStatus, TradingContext};
use domain::exchange::ExchangeId;
use domain::market::Asset;
use domain::shared::ids::{ContextId, UserId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`TradingContext`].
#[derive(Serialize, Deserialize)]
struct ContextDocument {
    #[serde(rename = "_id")]
    id: ContextId,
    user_id: UserId,
    exchange: ExchangeId,
    base: Asset,
    quote: Asset,
    mode: ContextMode,
    status: ContextStatus,
    status_reason: Option<String>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    version: u64,
}

impl From<&TradingContext> for ContextDocument {
    fn from(c: &TradingContext) -> Self {
        Self {
            id: c.id,
            user_id: c.user_id,
            exchange: c.exchange,
            base: c.base.clone(),
            quote: c.quote.clone(),
            mode: c.mode,
            status: c.status,
            status_reason: c.status_reason.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

impl From<ContextDocument> for TradingContext {
    fn from(d: ContextDocument) -> Self {
        TradingContext {
            id: d.id,
            user_id: d.user_id,
            exchange: d.exchange,
            base: d.base,
            quote: d.quote,
            mode: d.mode,
            status: d.status,
            status_reason: d.status_reason,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

/// Trading contexts in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreContextRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreContextRepository {
    /// The collection.
    pub const COLLECTION: &'static str = super::CONTEXTS;
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("contexts_user_market", &["user_id", "exchange", "base", "quote"]),
        IndexSpec::plain("contexts_user_created", &["user_id", "created_at"]),
        IndexSpec::plain("contexts_status_created", &["status", "created_at"]),
        // The backoffice's live/paper user filter.
        IndexSpec::plain("contexts_mode", &["mode", "user_id"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    fn mine(owner: UserId) -> Query {
        Query::all().eq("user_id", owner.to_string())
    }
}

#[async_trait]
impl ContextRepository for StoreContextRepository {
    async fn create(&self, context: &TradingContext) -> Result<TradingContext, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &ContextDocument::from(context)).await?;
        Ok(TradingContext { version: FIRST_VERSION, ..context.clone() })
    }

    async fn get(&self, owner: UserId, id: ContextId) -> Result<TradingContext, RepoError> {
        let found: Option<ContextDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.filter(|d| d.user_id == owner).map(TradingContext::from).ok_or(RepoError::NotFound)
    }

    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<TradingContext>, RepoError> {
        let query = Self::mine(owner).asc("created_at").asc(ID);
        codec::page::<ContextDocument, _>(&*self.store, Self::COLLECTION, query, page, TradingContext::from).await
    }

    async fn active(&self) -> Result<Vec<TradingContext>, RepoError> {
        let query = Query::all().eq("status", codec::value_of(&ContextStatus::Active)).asc("created_at").asc(ID);
        let documents: Vec<ContextDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        Ok(documents.into_iter().map(TradingContext::from).collect())
    }

    async fn count(&self, owner: UserId) -> Result<u64, RepoError> {
        self.store.count(Self::COLLECTION, &Self::mine(owner)).await
    }

    async fn update(&self, context: &TradingContext) -> Result<TradingContext, RepoError> {
        let version =
            codec::replace(&*self.store, Self::COLLECTION, &ContextDocument::from(context), context.version).await?;
        Ok(TradingContext { version, ..context.clone() })
    }

    async fn delete(&self, owner: UserId, id: ContextId) -> Result<(), RepoError> {
        self.get(owner, id).await?;
        match self.store.delete(Self::COLLECTION, &id.to_string()).await? {
            true => Ok(()),
            false => Err(RepoError::NotFound),
        }
    }
}
