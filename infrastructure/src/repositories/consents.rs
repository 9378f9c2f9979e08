//! [`ConsentRepository`] over a [`DocumentStore`]: collection `consents`, append-only, indexed by
//! user and time. Account deletion never touches it (LGPD retention of five years).

use std::sync::Arc;

use async_trait::async_trait;
use domain::legal::{ConsentRecord, ConsentRepository, ConsentSource, DocumentVersion};
use domain::shared::ids::{ConsentId, UserId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`ConsentRecord`]. Entries are never changed; `version` stays 1.
#[derive(Serialize, Deserialize)]
struct ConsentDocument {
    #[serde(rename = "_id")]
    id: ConsentId,
    user_id: UserId,
    terms_accepted: bool,
    terms_version: Option<DocumentVersion>,
    privacy_accepted: bool,
    privacy_version: Option<DocumentVersion>,
    marketing_accepted: bool,
    source: ConsentSource,
    #[serde(with = "millis")]
    at: OffsetDateTime,
    ip: Option<String>,
    user_agent: Option<String>,
    #[serde(with = "millis")]
    retain_until: OffsetDateTime,
}

impl From<&ConsentRecord> for ConsentDocument {
    fn from(r: &ConsentRecord) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            terms_accepted: r.terms_accepted,
            terms_version: r.terms_version.clone(),
            privacy_accepted: r.privacy_accepted,
            privacy_version: r.privacy_version.clone(),
            marketing_accepted: r.marketing_accepted,
            source: r.source,
            at: r.at,
            ip: r.ip.clone(),
            user_agent: r.user_agent.clone(),
            retain_until: r.retain_until,
        }
    }
}

impl From<ConsentDocument> for ConsentRecord {
    fn from(d: ConsentDocument) -> Self {
        ConsentRecord {
            id: d.id,
            user_id: d.user_id,
            terms_accepted: d.terms_accepted,
            terms_version: d.terms_version,
            privacy_accepted: d.privacy_accepted,
            privacy_version: d.privacy_version,
            marketing_accepted: d.marketing_accepted,
            source: d.source,
            at: d.at,
            ip: d.ip,
            user_agent: d.user_agent,
            retain_until: d.retain_until,
        }
    }
}

/// The consent history in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreConsentRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreConsentRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "consents";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[IndexSpec::plain("consents_user_at", &["user_id", "at"])];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    fn newest_first(user: UserId) -> Query {
        Query::all().eq("user_id", user.to_string()).desc("at").desc(ID)
    }
}

#[async_trait]
impl ConsentRepository for StoreConsentRepository {
    async fn append(&self, record: &ConsentRecord) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &ConsentDocument::from(record)).await
    }

    async fn latest(&self, user: UserId) -> Result<Option<ConsentRecord>, RepoError> {
        let found: Option<ConsentDocument> =
            codec::find_one(&*self.store, Self::COLLECTION, Self::newest_first(user)).await?;
        Ok(found.map(ConsentRecord::from))
    }

    async fn history(&self, user: UserId, page: PageRequest) -> Result<Page<ConsentRecord>, RepoError> {
        codec::page::<ConsentDocument, _>(
            &*self.store,
            Self::COLLECTION,
            Self::newest_first(user),
            page,
            ConsentRecord::from,
        )
        .await
    }
}
