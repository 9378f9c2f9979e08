//! `/api/system/workflows`: the status of every catalogue workflow on this instance, and running
//! one now. For administrators and operators only (an admin user's token or `BOTFLEET_OPS_TOKEN`).

use std::time::Duration;

use actix_web::{get, post, web, HttpResponse};
use infrastructure::scheduler::{Outcome, RunReport, WorkflowStatus};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::auth::Operator;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "system";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Operations: the scheduled workflows of this instance (an admin's token or the ops token).",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_workflows).service(run_workflow);
}

/// How a workflow run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowOutcome {
    /// It returned a summary.
    Ok,
    /// It failed or panicked.
    Failed,
    /// It did not run: another instance held its lease.
    Skipped,
}

impl From<Outcome> for WorkflowOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Ok => Self::Ok,
            Outcome::Failed => Self::Failed,
            Outcome::Skipped => Self::Skipped,
        }
    }
}

/// One workflow's configuration and its last run on this instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowStatusResponse {
    /// Catalogue name.
    #[schema(example = "sync_orders")]
    pub name: String,
    /// What it does.
    pub description: String,
    /// Time between runs in milliseconds, after overrides and the interval scale.
    #[schema(example = 42000)]
    pub interval_ms: u64,
    /// Switched on.
    pub enabled: bool,
    /// Implemented in this build (the engine's workflows are added as they land).
    pub registered: bool,
    /// A run is in progress on this instance.
    pub running: bool,
    /// When the last run (or skip) started.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_started: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_finished: Option<OffsetDateTime>,
    /// How it ended.
    pub last_outcome: Option<WorkflowOutcome>,
    /// Its summary, error, or why it was skipped.
    pub last_summary: Option<String>,
    /// How long it took.
    pub last_duration_ms: Option<u64>,
    /// Runs executed on this instance since it started (ok or failed).
    pub runs: u64,
    /// Failed runs among them.
    pub failures: u64,
    /// Runs skipped because another instance held the lease.
    pub skips: u64,
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl From<WorkflowStatus> for WorkflowStatusResponse {
    fn from(s: WorkflowStatus) -> Self {
        Self {
            name: s.name.to_owned(),
            description: s.description.to_owned(),
            interval_ms: millis(s.interval),
            enabled: s.enabled,
            registered: s.registered,
            running: s.running,
            last_started: s.last_started,
            last_finished: s.last_finished,
            last_outcome: s.last_outcome.map(WorkflowOutcome::from),
            last_summary: s.last_summary,
            last_duration_ms: s.last_duration.map(millis),
            runs: s.runs,
            failures: s.failures,
            skips: s.skips,
        }
    }
}

/// The scheduler of this instance and every catalogue workflow.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowList {
    /// This instance's id, the holder of its leases (`BOTFLEET_INSTANCE_ID`).
    pub instance_id: String,
    /// Whether this instance runs workflows (`BOTFLEET_WORKERS`).
    pub workers: bool,
    /// `BOTFLEET_WORKFLOW_INTERVAL_SCALE`: every interval is multiplied by it.
    #[schema(example = 1.0)]
    pub interval_scale: f64,
    /// Every catalogue workflow, in catalogue order.
    pub items: Vec<WorkflowStatusResponse>,
}

/// The outcome of a run on request.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowRunResponse {
    /// The workflow.
    pub name: String,
    /// `ok` or `failed`.
    pub outcome: WorkflowOutcome,
    /// Its summary or the error that stopped it.
    pub summary: String,
    /// Started.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    /// Finished.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub finished_at: OffsetDateTime,
    /// How long it ran.
    pub duration_ms: u64,
}

impl From<RunReport> for WorkflowRunResponse {
    fn from(r: RunReport) -> Self {
        Self {
            name: r.name.to_owned(),
            outcome: r.outcome.into(),
            summary: r.summary,
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_ms: millis(r.duration),
        }
    }
}

/// List every catalogue workflow: interval, switches and last run on this instance.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "Every workflow", body = WorkflowList),
        (status = 403, description = "The user is not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/system/workflows")]
pub async fn list_workflows(state: web::Data<AppState>, _operator: Operator) -> HttpResponse {
    let scheduler = &state.workflows;
    let config = scheduler.config();
    HttpResponse::Ok().json(WorkflowList {
        instance_id: config.instance_id.clone(),
        workers: config.workers,
        interval_scale: config.interval_scale,
        items: scheduler.statuses().into_iter().map(WorkflowStatusResponse::from).collect(),
    })
}

/// Run a workflow now on this instance and wait for it. A run that fails is still a 200 with
/// outcome `failed`.
#[utoipa::path(
    tag = TAG,
    params(("name" = String, Path, description = "Catalogue name of the workflow", example = "paper_matching")),
    responses(
        (status = 200, description = "It ran", body = WorkflowRunResponse),
        (status = 403, description = "The user is not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No workflow of that name", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It cannot run here now: `workflow_disabled`, `workflow_not_registered`, `workers_disabled` (API-only instance), `workflow_running`, or `workflow_lease_held` (another instance holds its lease)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/system/workflows/{name}/run")]
pub async fn run_workflow(
    state: web::Data<AppState>,
    operator: Operator,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let scheduler = state.workflows.clone();
    let name = name.into_inner();
    tracing::info!(workflow = %name, ?operator, "workflow run requested");
    // Its own task: a client that hangs up does not cancel the run half-way.
    let report = tokio::spawn(async move { scheduler.run_now(&name).await }).await.map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(WorkflowRunResponse::from(report)))
}
