//! One run of one workflow: the local busy flag, the lease `workflow:<name>` (renewed while the
//! run lasts), the run itself in its own task so a panic is contained, then logs, metrics and
//! status.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use domain::leases::{workflow_lease, LeaseRepository};
use domain::Clock;
use tokio::task::JoinHandle;

use super::health::StoreWorkflowHealth;
use super::metrics::WorkflowMetrics;
use super::status::{Outcome, RunReport, WorkflowStatus};
use super::workflow::{Workflow, WorkflowSpec};

/// The longest summary kept and logged; longer ones are cut.
const MAX_SUMMARY: usize = 500;

/// What a run needs from the scheduler.
pub(crate) struct Context<'a> {
    pub(crate) instance_id: &'a str,
    pub(crate) leases: &'a Arc<dyn LeaseRepository>,
    pub(crate) clock: &'a Arc<dyn Clock>,
    pub(crate) metrics: &'a WorkflowMetrics,
    /// Where the last run, success and error are shared with the other instances, if anywhere.
    pub(crate) health: Option<&'a StoreWorkflowHealth>,
}

/// A registered workflow with its state on this instance.
pub(crate) struct Slot {
    pub(crate) spec: WorkflowSpec,
    pub(crate) workflow: Arc<dyn Workflow>,
    pub(crate) busy: AtomicBool,
}

/// The workflow is already running on this instance.
#[derive(Debug)]
pub(crate) struct Busy;

/// Aborts the task when dropped, so stopping the scheduler also stops a run in progress.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Clears the busy flag when the run ends, however it ends.
struct BusyGuard<'a>(&'a AtomicBool);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Runs `slot` once and records the outcome in `status`.
pub(crate) async fn run_once(cx: &Context<'_>, slot: &Slot, status: &Mutex<WorkflowStatus>) -> Result<RunReport, Busy> {
    if slot.busy.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_err() {
        return Err(Busy);
    }
    let _busy = BusyGuard(&slot.busy);
    let name = slot.spec.name;
    let (started_at, started) = (cx.clock.now(), Instant::now());
    let lease = workflow_lease(name);
    let (outcome, summary) = match cx.leases.try_acquire(&lease, cx.instance_id, slot.spec.interval, started_at).await {
        Ok(false) => (Outcome::Skipped, "lease held by another instance".to_owned()),
        Err(err) => (Outcome::Failed, format!("cannot take the lease: {:#}", anyhow::Error::from(err))),
        Ok(true) => execute(cx, slot, &lease).await,
    };
    let report = RunReport {
        name,
        outcome,
        summary: truncate(summary),
        started_at,
        finished_at: cx.clock.now(),
        duration: started.elapsed(),
    };
    log(&report, slot.workflow.quiet());
    cx.metrics.record(name, outcome, report.duration);
    status.lock().unwrap_or_else(PoisonError::into_inner).record(&report);
    if let Some(health) = cx.health {
        if let Err(err) = health.record(cx.instance_id, &report).await {
            tracing::warn!(workflow = name, error = %err, "cannot store the workflow's health; other instances see the previous run");
        }
    }
    Ok(report)
}

/// Runs the workflow in its own task, renewing the lease every half interval until it ends.
async fn execute(cx: &Context<'_>, slot: &Slot, lease: &str) -> (Outcome, String) {
    let workflow = slot.workflow.clone();
    let mut task = AbortOnDrop(tokio::spawn(async move { workflow.run().await }));
    let ttl = slot.spec.interval;
    let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + ttl / 2, ttl / 2);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let joined = loop {
        tokio::select! {
            joined = &mut task.0 => break joined,
            _ = renew.tick() => match cx.leases.try_acquire(lease, cx.instance_id, ttl, cx.clock.now()).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!(workflow = slot.spec.name, "the run outlived its lease, which another instance took"),
                Err(err) => tracing::warn!(workflow = slot.spec.name, error = ?err, "cannot renew the lease of a run"),
            },
        }
    };
    match joined {
        Ok(Ok(summary)) => (Outcome::Ok, summary),
        Ok(Err(err)) => (Outcome::Failed, format!("{err:#}")),
        Err(err) if err.is_panic() => (Outcome::Failed, format!("panicked: {}", panic_message(err.into_panic()))),
        Err(_) => (Outcome::Failed, "the run was cancelled".to_owned()),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast_ref::<&str>().map_or_else(|| "(no message)".to_owned(), |m| (*m).to_owned()),
    }
}

fn truncate(mut summary: String) -> String {
    if summary.len() > MAX_SUMMARY {
        let mut end = MAX_SUMMARY;
        while !summary.is_char_boundary(end) {
            end -= 1;
        }
        summary.truncate(end);
        summary.push('…');
    }
    summary
}

fn log(report: &RunReport, quiet: bool) {
    let (workflow, summary) = (report.name, report.summary.as_str());
    let duration_ms = u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX);
    match report.outcome {
        Outcome::Ok if quiet => tracing::debug!(workflow, duration_ms, outcome = "ok", summary, "workflow run"),
        Outcome::Ok => tracing::info!(workflow, duration_ms, outcome = "ok", summary, "workflow run"),
        Outcome::Failed => tracing::error!(workflow, duration_ms, outcome = "failed", summary, "workflow run failed"),
        Outcome::Skipped => tracing::debug!(workflow, outcome = "skipped", summary, "workflow run skipped"),
    }
}
