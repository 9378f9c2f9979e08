//! What the scheduler remembers of each workflow (in memory, per instance) and reports of one run.

use std::time::Duration;

use time::OffsetDateTime;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It returned a summary.
    Ok,
    /// It returned an error, panicked, or its lease could not be checked.
    Failed,
    /// It did not run: another instance holds its lease.
    Skipped,
}

impl Outcome {
    /// `ok`, `failed` or `skipped` (the metrics label and the API value).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One run (or skipped run) of a workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// The workflow.
    pub name: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// The workflow's summary, the error that stopped it, or why it was skipped.
    pub summary: String,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// When it ended.
    pub finished_at: OffsetDateTime,
    /// How long it ran.
    pub duration: Duration,
}

/// A workflow's configuration and its last run on this instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowStatus {
    /// Its name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// The configured interval (scaled).
    pub interval: Duration,
    /// Whether it is switched on.
    pub enabled: bool,
    /// Whether this build has an implementation registered (not yet for every catalogue entry).
    pub registered: bool,
    /// Whether a run is in progress on this instance.
    pub running: bool,
    /// When the last run (or skip) started.
    pub last_started: Option<OffsetDateTime>,
    /// When the last run (or skip) ended.
    pub last_finished: Option<OffsetDateTime>,
    /// How the last run ended.
    pub last_outcome: Option<Outcome>,
    /// Its summary or error.
    pub last_summary: Option<String>,
    /// How long it took.
    pub last_duration: Option<Duration>,
    /// Runs that executed (ok or failed) since start.
    pub runs: u64,
    /// Of those, the failed ones.
    pub failures: u64,
    /// Runs skipped because another instance held the lease.
    pub skips: u64,
    /// When the last successful run on this instance ended.
    pub last_success: Option<OffsetDateTime>,
    /// When the last failed run on this instance ended, with its error.
    pub last_error: Option<(OffsetDateTime, String)>,
}

impl WorkflowStatus {
    /// Records `report`.
    pub(crate) fn record(&mut self, report: &RunReport) {
        self.last_started = Some(report.started_at);
        self.last_finished = Some(report.finished_at);
        self.last_outcome = Some(report.outcome);
        self.last_summary = Some(report.summary.clone());
        self.last_duration = Some(report.duration);
        match report.outcome {
            Outcome::Ok => {
                self.runs += 1;
                self.last_success = Some(report.finished_at);
            }
            Outcome::Failed => {
                self.runs += 1;
                self.failures += 1;
                self.last_error = Some((report.finished_at, report.summary.clone()));
            }
            Outcome::Skipped => self.skips += 1,
        }
    }
}
