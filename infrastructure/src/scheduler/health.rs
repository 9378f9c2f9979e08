//! The workflows' last run, success and error kept in the store (collection `workflow_health`,
//! one document per workflow, `_id` its name), written after every run by the instance that ran
//! it (under the workflow's lease, so by one instance at a time). Every instance on the store then
//! reports the same health, whichever ran the workflow; each instance's own counters (runs,
//! failures, skips) stay in memory.

use std::sync::Arc;

use domain::RepoError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::status::{Outcome, RunReport, WorkflowStatus};
use crate::repositories::codec::{self, millis, millis_opt, to_millis, FIRST_VERSION};
use crate::store::{Doc, DocumentStore, IndexSpec, Query, ID};

/// The stored health of one workflow.
#[derive(Serialize, Deserialize)]
struct HealthDocument {
    #[serde(rename = "_id")]
    name: String,
    /// The instance that ran it last.
    instance: String,
    #[serde(with = "millis")]
    last_started: OffsetDateTime,
    #[serde(with = "millis")]
    last_finished: OffsetDateTime,
    last_outcome: String,
    last_summary: String,
    #[serde(default, with = "millis_opt")]
    last_success: Option<OffsetDateTime>,
    #[serde(default, with = "millis_opt")]
    last_error_at: Option<OffsetDateTime>,
    #[serde(default)]
    last_error: Option<String>,
    version: u64,
}

/// The workflows' health in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreWorkflowHealth {
    store: Arc<dyn DocumentStore>,
}

impl StoreWorkflowHealth {
    /// The collection.
    pub const COLLECTION: &'static str = "workflow_health";
    /// Its indexes (read whole: one document per catalogue workflow).
    pub const INDEXES: &'static [IndexSpec] = &[];

    /// The health over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// Records a run of `instance` (a skipped run changes nothing: another instance ran it).
    pub async fn record(&self, instance: &str, report: &RunReport) -> Result<(), RepoError> {
        let (success, error) = match report.outcome {
            Outcome::Skipped => return Ok(()),
            Outcome::Ok => (Some(report.finished_at), None),
            Outcome::Failed => (None, Some((report.finished_at, report.summary.clone()))),
        };
        let mut set = Doc::new();
        set.insert("instance".into(), instance.into());
        set.insert("last_started".into(), to_millis(report.started_at).into());
        set.insert("last_finished".into(), to_millis(report.finished_at).into());
        set.insert("last_outcome".into(), report.outcome.as_str().into());
        set.insert("last_summary".into(), report.summary.clone().into());
        if let Some(at) = success {
            set.insert("last_success".into(), to_millis(at).into());
        }
        if let Some((at, message)) = &error {
            set.insert("last_error_at".into(), to_millis(*at).into());
            set.insert("last_error".into(), Value::String(message.clone()));
        }
        let by_name = Query::all().eq(ID, report.name);
        for _ in 0..2 {
            if self.store.update_many_set(Self::COLLECTION, &by_name, set.clone()).await? == 1 {
                return Ok(());
            }
            let first = HealthDocument {
                name: report.name.to_owned(),
                instance: instance.to_owned(),
                last_started: report.started_at,
                last_finished: report.finished_at,
                last_outcome: report.outcome.as_str().to_owned(),
                last_summary: report.summary.clone(),
                last_success: success,
                last_error_at: error.as_ref().map(|e| e.0),
                last_error: error.as_ref().map(|e| e.1.clone()),
                version: FIRST_VERSION,
            };
            match codec::insert(&*self.store, Self::COLLECTION, &first).await {
                Err(RepoError::Duplicate { .. }) => continue,
                other => return other,
            }
        }
        Err(RepoError::Conflict)
    }

    /// `statuses` (this instance's) with the last run, success and error the store holds.
    pub async fn overlay(&self, mut statuses: Vec<WorkflowStatus>) -> Result<Vec<WorkflowStatus>, RepoError> {
        let stored: Vec<HealthDocument> =
            codec::find_all(&*self.store, Self::COLLECTION, &Query::all().gte(ID, "")).await?;
        for status in &mut statuses {
            let Some(doc) = stored.iter().find(|d| d.name == status.name) else { continue };
            status.last_started = Some(doc.last_started);
            status.last_finished = Some(doc.last_finished);
            status.last_outcome = match doc.last_outcome.as_str() {
                "ok" => Some(Outcome::Ok),
                "failed" => Some(Outcome::Failed),
                _ => status.last_outcome,
            };
            status.last_summary = Some(doc.last_summary.clone());
            status.last_success = doc.last_success.or(status.last_success);
            if let (Some(at), Some(message)) = (doc.last_error_at, &doc.last_error) {
                status.last_error = Some((at, message.clone()));
            }
        }
        Ok(statuses)
    }
}
