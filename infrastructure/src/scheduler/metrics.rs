//! [`WorkflowMetrics`]: the Prometheus collectors of the scheduler.

use std::time::Duration;

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

use super::status::Outcome;

/// Runs by `workflow` and `outcome` (`ok`, `failed`, `skipped`).
pub const RUNS_TOTAL: &str = "botfleet_workflow_runs_total";
/// Duration of the runs that executed, by `workflow`.
pub const DURATION_SECONDS: &str = "botfleet_workflow_duration_seconds";

/// The workflow collectors; clones share them.
#[derive(Clone, Debug)]
pub struct WorkflowMetrics {
    runs: IntCounterVec,
    duration: HistogramVec,
}

impl WorkflowMetrics {
    /// Creates the collectors and registers them into `registry` (the API's
    /// `Metrics::registry()`). Fails if they are registered there already.
    pub fn new(registry: &Registry) -> prometheus::Result<Self> {
        let runs = IntCounterVec::new(
            Opts::new(RUNS_TOTAL, "Workflow runs by workflow and outcome (ok, failed, skipped: lease held elsewhere)."),
            &["workflow", "outcome"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(DURATION_SECONDS, "Duration in seconds of the workflow runs that executed.")
                .buckets(vec![0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0]),
            &["workflow"],
        )?;
        registry.register(Box::new(runs.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(Self { runs, duration })
    }

    /// Collectors registered nowhere (tests, or a scheduler without `/metrics`).
    pub fn unregistered() -> Self {
        Self::new(&Registry::new()).expect("a fresh registry accepts the collectors")
    }

    /// Counts one run and, when it executed, its duration.
    pub(crate) fn record(&self, workflow: &str, outcome: Outcome, took: Duration) {
        self.runs.with_label_values(&[workflow, outcome.as_str()]).inc();
        if outcome != Outcome::Skipped {
            self.duration.with_label_values(&[workflow]).observe(took.as_secs_f64());
        }
    }
}
