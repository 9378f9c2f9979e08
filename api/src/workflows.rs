//! Start-up wiring of the workflow scheduler: its configuration from the settings, its metrics in
//! the process registry, its leases in the store, and the workflows implemented so far. The
//! server starts it beside the HTTP workers (`startup.rs`) and stops it with them.
//!
//! To add a workflow: build it here and `register` it (its name must be in the catalogue,
//! `infrastructure::scheduler::CATALOGUE`).

use std::sync::Arc;

use anyhow::Context as _;
use application::analysis::ContextAnalysis;
use application::credentials::CredentialService;
use application::subscriptions::SubscriptionService;
use domain::leases::LeaseRepository;
use domain::Clock;
use infrastructure::scheduler::{self, Scheduler, WorkflowMetrics};

use application::engine::{Engine, Workload};
use infrastructure::scheduler::FnWorkflow;
use prometheus::{IntCounterVec, Opts};

use crate::exchanges::PaperExchanges;
use crate::metrics::Metrics;
use crate::settings::Settings;

/// The services the built-in workflows run.
pub struct WorkflowPorts<'a> {
    /// MAX's proactive suggestions (`assistant_suggestions`).
    pub suggestions: &'a Arc<application::assistant::Suggestions>,
    /// The execution engine (order sync, bot evaluation).
    pub engine: &'a Arc<Engine>,
    /// Signals per context (`candle_analysis`).
    pub analysis: &'a Arc<ContextAnalysis>,
    /// Lease storage shared by every instance.
    pub leases: Arc<dyn LeaseRepository>,
    /// The workflows' last run, success and error, shared by every instance.
    pub health: Arc<infrastructure::scheduler::StoreWorkflowHealth>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Credential revalidation.
    pub credentials: &'a Arc<CredentialService>,
    /// Subscription reconciliation.
    pub subscriptions: &'a Arc<SubscriptionService>,
    /// Paper order matching.
    pub paper: &'a PaperExchanges,
    /// The outbox relay (`relay_events`).
    pub relay: Arc<infrastructure::notifications::Relay>,
    /// Outbound webhooks (`webhook_delivery`).
    pub webhooks: &'a Arc<application::webhooks::WebhookService>,
    /// The notification channels that are on.
    pub channels: &'a crate::channels::Channels,
    /// The backoffice (`operator_audit_expiry`).
    pub backoffice: &'a Arc<application::backoffice::Backoffice>,
}

impl std::fmt::Debug for WorkflowPorts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkflowPorts").finish_non_exhaustive()
    }
}

/// The scheduler with every implemented workflow registered, its collectors in `metrics`.
pub fn build(settings: &Settings, ports: WorkflowPorts<'_>, metrics: &Metrics) -> anyhow::Result<Scheduler> {
    let collectors = WorkflowMetrics::new(metrics.registry()).context("registering workflow metrics")?;
    let mut scheduler = Scheduler::new(settings.workflows.scheduler_config(), ports.leases, ports.clock, collectors)
        .with_health(ports.health);
    let paper = ports.paper.iter().map(|(id, exchange)| (*id, exchange.clone())).collect();
    scheduler.register(Arc::new(scheduler::credential_revalidation(ports.credentials.clone())))?;
    scheduler.register(Arc::new(scheduler::subscription_reconciliation(ports.subscriptions.clone())))?;
    scheduler.register(Arc::new(scheduler::paper_matching(paper)))?;
    scheduler.register(Arc::new(infrastructure::notifications::relay::relay_events(ports.relay)))?;
    let webhooks = ports.webhooks.clone();
    scheduler.register(Arc::new(
        FnWorkflow::new("webhook_delivery", move || {
            let webhooks = webhooks.clone();
            async move {
                let dispatched = webhooks.dispatch().await?;
                let sent = webhooks.send_due().await?;
                infrastructure::webhooks::record_metrics(&sent);
                Ok(summary(&serde_json::json!({"dispatched": dispatched, "sent": sent})))
            }
        })
        .quiet(),
    ))?;
    crate::channels::register(&mut scheduler, ports.channels)?;
    let backoffice = ports.backoffice.clone();
    scheduler.register(Arc::new(FnWorkflow::new("operator_audit_expiry", move || {
        let backoffice = backoffice.clone();
        async move { Ok(backoffice.expire().await?) }
    })))?;
    let engine = ports.engine;
    let faults = bot_faults(metrics)?;
    let sync = engine.clone();
    let sync_faults = faults.with_label_values(&["sync_orders"]);
    scheduler.register(Arc::new(FnWorkflow::new("sync_orders", move || {
        let (engine, faults) = (sync.clone(), sync_faults.clone());
        async move {
            let report = engine.sync_orders().await?;
            faults.inc_by(report.isolated);
            Ok(summary(&report))
        }
    })))?;
    let upkeep = engine.clone();
    scheduler.register(Arc::new(FnWorkflow::new("anomaly_check", move || {
        let engine = upkeep.clone();
        async move { Ok(summary(&engine.anomaly_check().await?)) }
    })))?;
    let balances = engine.clone();
    scheduler.register(Arc::new(FnWorkflow::new("sync_strategy_balances", move || {
        let engine = balances.clone();
        async move { Ok(summary(&engine.sync_strategy_balances().await?)) }
    })))?;
    let suggestions = ports.suggestions.clone();
    scheduler.register(Arc::new(FnWorkflow::new("assistant_suggestions", move || {
        let suggestions = suggestions.clone();
        async move { Ok(summary(&suggestions.run().await?)) }
    })))?;
    let analysis = ports.analysis.clone();
    scheduler.register(Arc::new(FnWorkflow::new("candle_analysis", move || {
        let analysis = analysis.clone();
        async move { Ok(summary(&analysis.run().await?)) }
    })))?;
    let withdrawals = engine.clone();
    scheduler.register(Arc::new(FnWorkflow::new("sync_withdrawals", move || {
        let engine = withdrawals.clone();
        async move { Ok(summary(&engine.sync_withdrawals().await?)) }
    })))?;
    for (name, workload) in WORKLOADS {
        let (engine, faults) = (engine.clone(), faults.with_label_values(&[name]));
        scheduler.register(Arc::new(FnWorkflow::new(name, move || {
            let (engine, faults) = (engine.clone(), faults.clone());
            async move {
                let report = engine.run(workload).await?;
                faults.inc_by(report.isolated);
                Ok(summary(&report))
            }
        })))?;
    }
    Ok(scheduler)
}

/// `botfleet_bot_faults_total{workflow}`: bots a workflow paused after a panic or an internal
/// error on them (the engine's isolation), registered in `metrics`.
fn bot_faults(metrics: &Metrics) -> anyhow::Result<IntCounterVec> {
    let faults = IntCounterVec::new(
        Opts::new(
            "botfleet_bot_faults_total",
            "Bots paused after a panic or an internal error while the workflow evaluated, placed or synced them.",
        ),
        &["workflow"],
    )?;
    metrics.register(faults.clone()).context("registering botfleet_bot_faults_total")?;
    Ok(faults)
}

/// The bot-evaluation workflows and what each evaluates, in the order of one scheduler round.
pub const WORKLOADS: [(&str, Workload); 8] = [
    ("smart_bot_purchase", Workload::SmartPurchase),
    ("smart_bot_sales", Workload::SmartSales),
    ("smart_bot_check_situation", Workload::SmartCheck),
    ("candle_bots_analysis", Workload::CandleAnalysis),
    ("candle_bots_risk_management", Workload::CandleRisk),
    ("dca_execution", Workload::DcaExecution),
    ("dca_risk_management", Workload::DcaRisk),
    ("channel_bots", Workload::Channel),
];

/// A run's report as its one-line summary.
fn summary<T: serde::Serialize>(report: &T) -> String {
    serde_json::to_string(report).unwrap_or_default()
}
