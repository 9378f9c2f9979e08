//! [`SessionRepository`] over a [`DocumentStore`]: collection `sessions`, unique index
//! `sessions_token_hash`, plus indexes by family and by user for revocation and listing.

use std::sync::Arc;

use async_trait::async_trait;
use domain::identity::{RefreshSession, SessionRepository};
use domain::shared::ids::{SessionFamilyId, SessionId, UserId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`RefreshSession`].
#[derive(Serialize, Deserialize)]
struct SessionDocument {
    #[serde(rename = "_id")]
    id: SessionId,
    user_id: UserId,
    family_id: SessionFamilyId,
    token_hash: String,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
    #[serde(with = "millis_opt")]
    used_at: Option<OffsetDateTime>,
    #[serde(with = "millis_opt")]
    revoked_at: Option<OffsetDateTime>,
    version: u64,
}

impl From<&RefreshSession> for SessionDocument {
    fn from(s: &RefreshSession) -> Self {
        Self {
            id: s.id,
            user_id: s.user_id,
            family_id: s.family_id,
            token_hash: s.token_hash.clone(),
            created_at: s.created_at,
            expires_at: s.expires_at,
            used_at: s.used_at,
            revoked_at: s.revoked_at,
            version: s.version,
        }
    }
}

impl From<SessionDocument> for RefreshSession {
    fn from(d: SessionDocument) -> Self {
        RefreshSession {
            id: d.id,
            user_id: d.user_id,
            family_id: d.family_id,
            token_hash: d.token_hash,
            created_at: d.created_at,
            expires_at: d.expires_at,
            used_at: d.used_at,
            revoked_at: d.revoked_at,
            version: d.version,
        }
    }
}

/// Refresh-token sessions in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreSessionRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreSessionRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "sessions";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("sessions_token_hash", &["token_hash"]),
        IndexSpec::plain("sessions_family", &["family_id"]),
        IndexSpec::plain("sessions_user", &["user_id", "created_at"]),
    ];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// Revokes the unrevoked sessions matching `query`.
    async fn revoke(&self, query: Query, at: OffsetDateTime) -> Result<u64, RepoError> {
        codec::stamp_unset(&*self.store, Self::COLLECTION, query, "revoked_at", at).await
    }
}

#[async_trait]
impl SessionRepository for StoreSessionRepository {
    async fn create(&self, session: &RefreshSession) -> Result<RefreshSession, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &SessionDocument::from(session)).await?;
        Ok(RefreshSession { version: FIRST_VERSION, ..session.clone() })
    }

    async fn find_by_token_hash(&self, token_hash: &str) -> Result<Option<RefreshSession>, RepoError> {
        let query = Query::all().eq("token_hash", token_hash);
        let found: Option<SessionDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        Ok(found.map(RefreshSession::from))
    }

    async fn update(&self, session: &RefreshSession) -> Result<RefreshSession, RepoError> {
        let document = SessionDocument::from(session);
        let version = codec::replace(&*self.store, Self::COLLECTION, &document, session.version).await?;
        Ok(RefreshSession { version, ..session.clone() })
    }

    async fn revoke_family(&self, family: SessionFamilyId, at: OffsetDateTime) -> Result<u64, RepoError> {
        self.revoke(Query::all().eq("family_id", family.to_string()), at).await
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        keep: Option<SessionFamilyId>,
        at: OffsetDateTime,
    ) -> Result<u64, RepoError> {
        let mut query = Query::all().eq("user_id", user.to_string());
        if let Some(keep) = keep {
            query = query.ne("family_id", keep.to_string());
        }
        self.revoke(query, at).await
    }

    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<RefreshSession>, RepoError> {
        let query = Query::all().eq("user_id", user.to_string()).desc("created_at").desc(ID);
        codec::page::<SessionDocument, _>(&*self.store, Self::COLLECTION, query, page, RefreshSession::from).await
    }
}
