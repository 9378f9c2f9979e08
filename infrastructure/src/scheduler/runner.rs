//! [`Scheduler`]: the registry of workflows of this instance, their periodic loops, run-now, and
//! the status of every catalogue workflow.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use domain::leases::{workflow_lease, LeaseRepository};
use domain::Clock;
use tokio::task::JoinHandle;

use super::catalogue::{self, CATALOGUE};
use super::config::SchedulerConfig;
use super::cycle::{run_once, Busy, Context, Slot};
use super::health::StoreWorkflowHealth;
use super::metrics::WorkflowMetrics;
use super::status::{Outcome, RunReport, WorkflowStatus};
use super::workflow::Workflow;

/// Why a workflow cannot be registered.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Its name is not in the catalogue.
    #[error("`{0}` is not a catalogue workflow")]
    NotInCatalogue(String),
    /// A workflow of that name is registered already.
    #[error("workflow `{0}` is registered twice")]
    Duplicate(&'static str),
}

/// Why a run on request did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunNowError {
    /// No catalogue workflow has that name.
    #[error("no workflow named `{0}`")]
    Unknown(String),
    /// The catalogue has it, but this build does not implement it yet.
    #[error("workflow `{0}` has no implementation registered")]
    NotRegistered(&'static str),
    /// It is switched off (`BOTFLEET_WORKFLOW_<NAME>_ENABLED=false`).
    #[error("workflow `{0}` is disabled")]
    Disabled(&'static str),
    /// This is an API-only instance (`BOTFLEET_WORKERS=false`).
    #[error("this instance runs no workflows")]
    WorkersOff,
    /// A run is in progress on this instance.
    #[error("workflow `{0}` is already running")]
    Running(&'static str),
    /// Another instance holds its lease (it ran it or runs it).
    #[error("another instance holds the lease of workflow `{0}`")]
    LeaseHeld(&'static str),
}

/// Runs the registered workflows periodically, each under its lease, and keeps every catalogue
/// workflow's status. Build it, [`register`](Self::register) the implementations, put it in an
/// `Arc` and [`start`](Self::start) it.
pub struct Scheduler {
    config: SchedulerConfig,
    leases: Arc<dyn LeaseRepository>,
    clock: Arc<dyn Clock>,
    metrics: WorkflowMetrics,
    slots: BTreeMap<&'static str, Slot>,
    statuses: BTreeMap<&'static str, Mutex<WorkflowStatus>>,
    health: Option<Arc<StoreWorkflowHealth>>,
}

impl fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("config", &self.config)
            .field("registered", &self.slots.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler with nothing registered.
    pub fn new(
        config: SchedulerConfig,
        leases: Arc<dyn LeaseRepository>,
        clock: Arc<dyn Clock>,
        metrics: WorkflowMetrics,
    ) -> Self {
        let statuses = CATALOGUE
            .iter()
            .map(|entry| {
                let spec = config.spec(entry);
                let status = WorkflowStatus {
                    name: entry.name,
                    description: entry.description,
                    interval: spec.interval,
                    enabled: spec.enabled,
                    registered: false,
                    running: false,
                    last_started: None,
                    last_finished: None,
                    last_outcome: None,
                    last_summary: None,
                    last_duration: None,
                    runs: 0,
                    failures: 0,
                    skips: 0,
                    last_success: None,
                    last_error: None,
                };
                (entry.name, Mutex::new(status))
            })
            .collect();
        Self { config, leases, clock, metrics, slots: BTreeMap::new(), statuses, health: None }
    }

    /// The same, sharing each run's outcome through `health`, so that every instance reports the
    /// same last run, success and error ([`Self::shared_statuses`]).
    pub fn with_health(self, health: Arc<StoreWorkflowHealth>) -> Self {
        Self { health: Some(health), ..self }
    }

    /// Adds the implementation of a catalogue workflow.
    pub fn register(&mut self, workflow: Arc<dyn Workflow>) -> Result<(), RegisterError> {
        let name = workflow.name();
        let entry = catalogue::find(name).ok_or_else(|| RegisterError::NotInCatalogue(name.to_owned()))?;
        if self.slots.contains_key(entry.name) {
            return Err(RegisterError::Duplicate(entry.name));
        }
        let slot = Slot { spec: self.config.spec(entry), workflow, busy: AtomicBool::new(false) };
        self.slots.insert(entry.name, slot);
        Ok(())
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SchedulerConfig {
        &self.config
    }

    /// Every catalogue workflow's status, in catalogue order.
    pub fn statuses(&self) -> Vec<WorkflowStatus> {
        CATALOGUE
            .iter()
            .filter_map(|entry| {
                let mut status = self.statuses.get(entry.name)?.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let slot = self.slots.get(entry.name);
                status.registered = slot.is_some();
                status.running = slot.is_some_and(|s| s.busy.load(Ordering::Acquire));
                Some(status)
            })
            .collect()
    }

    /// [`Self::statuses`] with the last run, success and error as the store holds them (the same
    /// on every instance); this instance's own when there is no store or it cannot be read.
    pub async fn shared_statuses(&self) -> Vec<WorkflowStatus> {
        let local = self.statuses();
        let Some(health) = &self.health else { return local };
        match health.overlay(local.clone()).await {
            Ok(shared) => shared,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the workflows' shared health; reporting this instance's");
                local
            }
        }
    }

    fn context(&self) -> Context<'_> {
        Context {
            instance_id: &self.config.instance_id,
            leases: &self.leases,
            clock: &self.clock,
            metrics: &self.metrics,
            health: self.health.as_deref(),
        }
    }

    async fn run_slot(&self, slot: &Slot) -> Result<RunReport, Busy> {
        let status = &self.statuses[slot.spec.name];
        run_once(&self.context(), slot, status).await
    }

    /// Runs the workflow `name` now and waits for it. A failed run is a report with
    /// [`Outcome::Failed`], not an error.
    pub async fn run_now(&self, name: &str) -> Result<RunReport, RunNowError> {
        let entry = catalogue::find(name).ok_or_else(|| RunNowError::Unknown(name.to_owned()))?;
        let slot = self.slots.get(entry.name).ok_or(RunNowError::NotRegistered(entry.name))?;
        if !self.config.workers {
            return Err(RunNowError::WorkersOff);
        }
        if !slot.spec.enabled {
            return Err(RunNowError::Disabled(entry.name));
        }
        let report = self.run_slot(slot).await.map_err(|Busy| RunNowError::Running(entry.name))?;
        match report.outcome {
            Outcome::Skipped => Err(RunNowError::LeaseHeld(entry.name)),
            _ => Ok(report),
        }
    }

    /// Starts one loop per registered, enabled workflow (none on an API-only instance). Each runs
    /// its workflow every interval, the first time one interval from now; a run that overruns
    /// delays the next instead of piling up. Stop them with [`SchedulerHandle::shutdown`] or by
    /// dropping the handle.
    pub fn start(self: &Arc<Self>) -> SchedulerHandle {
        let mut tasks = Vec::new();
        if self.config.workers {
            for slot in self.slots.values().filter(|slot| slot.spec.enabled) {
                let (scheduler, name, every) = (self.clone(), slot.spec.name, slot.spec.interval);
                tasks.push(tokio::spawn(async move {
                    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        ticker.tick().await;
                        if let Some(slot) = scheduler.slots.get(name) {
                            if scheduler.run_slot(slot).await.is_err() {
                                tracing::debug!(workflow = name, "tick skipped: a run on request is in progress");
                            }
                        }
                    }
                }));
            }
            tracing::info!(
                instance = %self.config.instance_id,
                workflows = tasks.len(),
                scale = self.config.interval_scale,
                "workflow scheduler started"
            );
        } else {
            tracing::info!("API-only instance (BOTFLEET_WORKERS=false): no workflow runs here");
        }
        SchedulerHandle { scheduler: self.clone(), tasks }
    }
}

/// The running loops of a started [`Scheduler`]; dropping it stops them.
#[derive(Debug)]
pub struct SchedulerHandle {
    scheduler: Arc<Scheduler>,
    tasks: Vec<JoinHandle<()>>,
}

impl SchedulerHandle {
    /// How many workflow loops run.
    pub fn loops(&self) -> usize {
        self.tasks.len()
    }

    /// Stops the loops (and any run in progress), then releases this instance's workflow leases
    /// so another instance can take over at once instead of waiting for them to expire.
    pub async fn shutdown(mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
            // A cancelled task's JoinError is expected; the wait makes sure it has stopped.
            let _ = task.await;
        }
        let scheduler = &self.scheduler;
        for name in scheduler.slots.keys() {
            if let Err(err) = scheduler.leases.release(&workflow_lease(name), &scheduler.config.instance_id).await {
                tracing::warn!(workflow = name, error = ?err, "cannot release a workflow lease at shutdown");
            }
        }
    }
}

impl Drop for SchedulerHandle {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
