//! The workflow scheduler: runs the catalogue's periodic workflows (order sync, bot evaluation,
//! upkeep) on tokio, each at its configured interval, each run under the store lease
//! `workflow:<name>` so that several instances sharing one database never run the same workflow
//! cycle at once. Runs are logged, counted in Prometheus and remembered for the status API; a
//! failing or panicking run never stops the scheduler.
//!
//! To add a workflow: implement [`Workflow`] (or use [`FnWorkflow`]) under a name of the
//! [`CATALOGUE`] and [`Scheduler::register`] it before the scheduler starts.

mod builtin;
mod catalogue;
mod config;
mod cycle;
mod health;
mod metrics;
mod runner;
mod status;
mod workflow;

#[cfg(test)]
mod tests;

pub use builtin::{credential_revalidation, paper_matching, subscription_reconciliation};
pub use catalogue::{find, CatalogueEntry, CATALOGUE};
pub use config::{scale, SchedulerConfig, MAX_INTERVAL, MIN_INTERVAL};
pub use health::StoreWorkflowHealth;
pub use metrics::{WorkflowMetrics, DURATION_SECONDS, RUNS_TOTAL};
pub use runner::{RegisterError, RunNowError, Scheduler, SchedulerHandle};
pub use status::{Outcome, RunReport, WorkflowStatus};
pub use workflow::{FnWorkflow, Workflow, WorkflowSpec};
