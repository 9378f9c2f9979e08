//! [`OperatorSessionRepository`] over a [`DocumentStore`]: collection `operator_sessions`,
//! unique index on the cookie's hash, indexed by operator (revocation) and expiry (clean-up).

use std::sync::Arc;

use async_trait::async_trait;
use domain::backoffice::{OperatorSession, OperatorSessionRepository};
use domain::shared::ids::{OperatorId, OperatorSessionId};
use domain::RepoError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, millis_opt, to_millis};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of an [`OperatorSession`].
#[derive(Serialize, Deserialize)]
struct SessionDocument {
    #[serde(rename = "_id")]
    id: OperatorSessionId,
    operator_id: OperatorId,
    token_hash: String,
    csrf_hash: String,
    ip: Option<String>,
    user_agent: Option<String>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
    #[serde(with = "millis_opt")]
    revoked_at: Option<OffsetDateTime>,
}

impl From<&OperatorSession> for SessionDocument {
    fn from(s: &OperatorSession) -> Self {
        Self {
            id: s.id,
            operator_id: s.operator_id,
            token_hash: s.token_hash.clone(),
            csrf_hash: s.csrf_hash.clone(),
            ip: s.ip.clone(),
            user_agent: s.user_agent.clone(),
            created_at: s.created_at,
            expires_at: s.expires_at,
            revoked_at: s.revoked_at,
        }
    }
}

impl From<SessionDocument> for OperatorSession {
    fn from(d: SessionDocument) -> Self {
        OperatorSession {
            id: d.id,
            operator_id: d.operator_id,
            token_hash: d.token_hash,
            csrf_hash: d.csrf_hash,
            ip: d.ip,
            user_agent: d.user_agent,
            created_at: d.created_at,
            expires_at: d.expires_at,
            revoked_at: d.revoked_at,
        }
    }
}

/// Operator sessions in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreOperatorSessionRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreOperatorSessionRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "operator_sessions";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("operator_sessions_token", &["token_hash"]),
        IndexSpec::plain("operator_sessions_operator", &["operator_id"]),
        IndexSpec::plain("operator_sessions_expiry", &["expires_at"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl OperatorSessionRepository for StoreOperatorSessionRepository {
    async fn create(&self, session: &OperatorSession) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &SessionDocument::from(session)).await
    }

    async fn find_by_token_hash(&self, token_hash: &str) -> Result<Option<OperatorSession>, RepoError> {
        let query = Query::all().eq("token_hash", token_hash);
        let found: Option<SessionDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        Ok(found.map(OperatorSession::from))
    }

    async fn revoke(&self, id: OperatorSessionId, at: OffsetDateTime) -> Result<bool, RepoError> {
        let query = Query::all().eq(ID, id.to_string());
        Ok(codec::stamp_unset(&*self.store, Self::COLLECTION, query, "revoked_at", at).await? > 0)
    }

    async fn revoke_all(&self, operator: OperatorId, at: OffsetDateTime) -> Result<u64, RepoError> {
        let query = Query::all().eq("operator_id", operator.to_string());
        codec::stamp_unset(&*self.store, Self::COLLECTION, query, "revoked_at", at).await
    }

    async fn delete_expired(&self, before: OffsetDateTime) -> Result<u64, RepoError> {
        let query = Query::all().lt("expires_at", to_millis(before)).limit(1000);
        codec::delete_matching(&*self.store, Self::COLLECTION, query).await
    }
}
