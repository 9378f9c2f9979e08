//! What the scheduler runs: the [`Workflow`] trait, a closure adapter, and a workflow's resolved
//! [`WorkflowSpec`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;

/// A periodic job. One run does one cycle of work and returns a one-line summary (`checked 12
/// changed 1`) or the error that stopped it; a failing or panicking run never stops the scheduler.
#[async_trait]
pub trait Workflow: Send + Sync {
    /// Its catalogue name (`sync_orders`).
    fn name(&self) -> &'static str;

    /// Runs one cycle.
    async fn run(&self) -> anyhow::Result<String>;

    /// Whether successful runs are logged at DEBUG rather than INFO (very frequent workflows).
    fn quiet(&self) -> bool {
        false
    }
}

type RunFn = dyn Fn() -> Pin<Box<dyn Future<Output = anyhow::Result<String>> + Send>> + Send + Sync;

/// A [`Workflow`] from a name and a closure returning the run's future.
pub struct FnWorkflow {
    name: &'static str,
    quiet: bool,
    run: Box<RunFn>,
}

impl FnWorkflow {
    /// A workflow named `name` running `run`.
    pub fn new<F, Fut>(name: &'static str, run: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<String>> + Send + 'static,
    {
        Self { name, quiet: false, run: Box::new(move || Box::pin(run())) }
    }

    /// Logs its successful runs at DEBUG.
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }
}

impl fmt::Debug for FnWorkflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnWorkflow").field("name", &self.name).finish_non_exhaustive()
    }
}

#[async_trait]
impl Workflow for FnWorkflow {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn run(&self) -> anyhow::Result<String> {
        (self.run)().await
    }

    fn quiet(&self) -> bool {
        self.quiet
    }
}

/// A catalogue workflow as configured on this instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkflowSpec {
    /// Its name.
    pub name: &'static str,
    /// The time between two runs, after overrides and the interval scale; also its lease's TTL.
    pub interval: Duration,
    /// Whether it runs at all.
    pub enabled: bool,
}
