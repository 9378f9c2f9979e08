//! [`AuditRepository`] over a [`DocumentStore`]: collection `audit`, indexed by user and time.

use std::sync::Arc;

use async_trait::async_trait;
use domain::identity::{AuditAction, AuditEntry, AuditFilter, AuditRepository};
use domain::shared::ids::{AuditId, UserId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, value_of};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of an [`AuditEntry`]. Entries are never changed; `version` stays 1.
#[derive(Serialize, Deserialize)]
struct AuditDocument {
    #[serde(rename = "_id")]
    id: AuditId,
    user_id: Option<UserId>,
    action: AuditAction,
    ip: Option<String>,
    user_agent: Option<String>,
    detail: Option<String>,
    #[serde(with = "millis")]
    at: OffsetDateTime,
}

impl From<&AuditEntry> for AuditDocument {
    fn from(e: &AuditEntry) -> Self {
        Self {
            id: e.id,
            user_id: e.user_id,
            action: e.action,
            ip: e.ip.clone(),
            user_agent: e.user_agent.clone(),
            detail: e.detail.clone(),
            at: e.at,
        }
    }
}

impl From<AuditDocument> for AuditEntry {
    fn from(d: AuditDocument) -> Self {
        AuditEntry {
            id: d.id,
            user_id: d.user_id,
            action: d.action,
            ip: d.ip,
            user_agent: d.user_agent,
            detail: d.detail,
            at: d.at,
        }
    }
}

/// The audit log in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreAuditRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreAuditRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "audit";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[IndexSpec::plain("audit_user_at", &["user_id", "at"])];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl AuditRepository for StoreAuditRepository {
    async fn append(&self, entry: &AuditEntry) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &AuditDocument::from(entry)).await
    }

    async fn list_for_user(
        &self,
        user: UserId,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, RepoError> {
        let mut query = Query::all().eq("user_id", user.to_string());
        if let Some(action) = filter.action {
            query = query.eq("action", value_of(&action));
        }
        let query = query.desc("at").desc(ID);
        codec::page::<AuditDocument, _>(&*self.store, Self::COLLECTION, query, page, AuditEntry::from).await
    }
}
