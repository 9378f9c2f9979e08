//! [`OperatorAuditRepository`] over a [`DocumentStore`]: collection `operator_audit`, append
//! only, indexed by time, operator and target.

use std::sync::Arc;

use async_trait::async_trait;
use domain::backoffice::{OperatorAuditEntry, OperatorAuditFilter, OperatorAuditRepository, OperatorRole, Outcome};
use domain::shared::ids::{AuditId, OperatorId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, to_millis};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of an [`OperatorAuditEntry`]; never replaced (`version` stays 1).
#[derive(Serialize, Deserialize)]
struct AuditDocument {
    #[serde(rename = "_id")]
    id: AuditId,
    operator_id: Option<OperatorId>,
    operator_email: Option<String>,
    role: Option<OperatorRole>,
    action: String,
    target: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    #[serde(with = "millis")]
    at: OffsetDateTime,
    status: u16,
    outcome: Outcome,
}

impl From<&OperatorAuditEntry> for AuditDocument {
    fn from(e: &OperatorAuditEntry) -> Self {
        Self {
            id: e.id,
            operator_id: e.operator_id,
            operator_email: e.operator_email.clone(),
            role: e.role,
            action: e.action.clone(),
            target: e.target.clone(),
            ip: e.ip.clone(),
            user_agent: e.user_agent.clone(),
            at: e.at,
            status: e.status,
            outcome: e.outcome,
        }
    }
}

impl From<AuditDocument> for OperatorAuditEntry {
    fn from(d: AuditDocument) -> Self {
        OperatorAuditEntry {
            id: d.id,
            operator_id: d.operator_id,
            operator_email: d.operator_email,
            role: d.role,
            action: d.action,
            target: d.target,
            ip: d.ip,
            user_agent: d.user_agent,
            at: d.at,
            status: d.status,
            outcome: d.outcome,
        }
    }
}

/// The backoffice audit trail in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreOperatorAuditRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreOperatorAuditRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "operator_audit";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("operator_audit_at", &["at"]),
        IndexSpec::plain("operator_audit_operator_at", &["operator_id", "at"]),
        IndexSpec::plain("operator_audit_target_at", &["target", "at"]),
        // `GET /audit?action=...` (the store contract's plan check found it scanning).
        IndexSpec::plain("operator_audit_action_at", &["action", "at"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl OperatorAuditRepository for StoreOperatorAuditRepository {
    async fn append(&self, entry: &OperatorAuditEntry) -> Result<(), RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &AuditDocument::from(entry)).await
    }

    async fn list(
        &self,
        filter: &OperatorAuditFilter,
        page: PageRequest,
    ) -> Result<Page<OperatorAuditEntry>, RepoError> {
        let mut query = Query::all();
        if let Some(operator) = filter.operator_id {
            query = query.eq("operator_id", operator.to_string());
        }
        if let Some(target) = &filter.target {
            query = query.eq("target", target.as_str());
        }
        if let Some(action) = &filter.action {
            query = query.eq("action", action.as_str());
        }
        if let Some(from) = filter.from {
            query = query.gte("at", to_millis(from));
        }
        if let Some(to) = filter.to {
            query = query.lt("at", to_millis(to));
        }
        let query = query.desc("at").desc(ID);
        codec::page::<AuditDocument, _>(&*self.store, Self::COLLECTION, query, page, OperatorAuditEntry::from).await
    }

    async fn delete_older_than(&self, before: OffsetDateTime, batch: u64) -> Result<u64, RepoError> {
        let query = Query::all().lt("at", to_millis(before)).asc("at").limit(batch);
        codec::delete_matching(&*self.store, Self::COLLECTION, query).await
    }
}
