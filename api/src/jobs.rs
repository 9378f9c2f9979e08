//! Background jobs that run beside the HTTP server and stop with it. Each run is logged with its
//! duration and outcome; a failing run never stops the job. (The trading workflows get their own
//! scheduler; this runs the subscription upkeep.)

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::state::AppState;

/// How often resting paper orders are matched against the simulated price.
const PAPER_TICK: Duration = Duration::from_secs(5);

/// The running jobs; dropping it stops them.
#[derive(Debug, Default)]
pub struct Jobs {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Jobs {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Runs `run` every `every` (the first run after one interval), logging each run (successful
/// runs of `quiet` jobs at DEBUG).
fn every<F, Fut>(name: &'static str, every: Duration, quiet: bool, run: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<String>> + Send,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let started = Instant::now();
            match run().await {
                Ok(summary) if quiet => {
                    tracing::debug!(job = name, duration_ms = started.elapsed().as_millis() as u64, %summary, "job run")
                }
                Ok(summary) => {
                    tracing::info!(job = name, duration_ms = started.elapsed().as_millis() as u64, %summary, "job run")
                }
                Err(err) => tracing::error!(
                    job = name,
                    duration_ms = started.elapsed().as_millis() as u64,
                    error = ?err,
                    "job run failed"
                ),
            }
        }
    })
}

impl Jobs {
    /// Starts every job the settings enable.
    pub fn start(state: &AppState) -> Self {
        let mut tasks = Vec::new();
        if let Some(interval) = state.settings.payments.reconcile_every {
            let subscriptions = state.subscriptions.clone();
            tasks.push(every("subscription_reconciliation", interval, false, move || {
                let subscriptions = subscriptions.clone();
                async move {
                    let report = subscriptions.reconcile().await?;
                    Ok(format!("checked {} changed {} failed {}", report.checked, report.changed, report.failed))
                }
            }));
        }
        if let Some(interval) = state.settings.exchanges.revalidate_every {
            let credentials = state.credentials.clone();
            tasks.push(every("credential_revalidation", interval, false, move || {
                let credentials = credentials.clone();
                async move {
                    let (checked, unreachable) = credentials.revalidate_all().await?;
                    Ok(format!("checked {checked} unreachable {unreachable}"))
                }
            }));
        }
        for (exchange, paper) in state.paper.iter() {
            let (paper, name) = (paper.clone(), exchange.as_str());
            tasks.push(every("paper_order_matching", PAPER_TICK, true, move || {
                let paper = paper.clone();
                async move {
                    let filled = paper.tick().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    Ok(format!("{name}: filled {filled}"))
                }
            }));
        }
        Self { tasks }
    }
}
