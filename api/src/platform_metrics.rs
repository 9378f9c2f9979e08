//! The `botfleet_platform_*` gauges of `GET /metrics`: the backoffice's platform metrics (one
//! cached snapshot, computed at most once a minute per instance) and each workflow's health,
//! rendered in the Prometheus text format on each scrape.

use application::backoffice::{provider_name, PlatformMetrics};
use infrastructure::scheduler::WorkflowStatus;
use prometheus::{Encoder as _, Gauge, GaugeVec, IntGaugeVec, Opts, Registry, TextEncoder};
use rust_decimal::prelude::ToPrimitive as _;
use time::OffsetDateTime;

use crate::routes::backoffice::metrics::provider_label;

fn ints(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> prometheus::Result<IntGaugeVec> {
    let gauge = IntGaugeVec::new(Opts::new(name, help), labels)?;
    registry.register(Box::new(gauge.clone()))?;
    Ok(gauge)
}

fn floats(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> prometheus::Result<GaugeVec> {
    let gauge = GaugeVec::new(Opts::new(name, help), labels)?;
    registry.register(Box::new(gauge.clone()))?;
    Ok(gauge)
}

fn seconds(at: OffsetDateTime) -> f64 {
    at.unix_timestamp_nanos() as f64 / 1e9
}

fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The gauges of `metrics` (`None`: the store could not be read, only `botfleet_platform_up 0`)
/// and of `statuses`, in the Prometheus text format.
pub fn render(metrics: Option<&PlatformMetrics>, statuses: &[WorkflowStatus]) -> prometheus::Result<String> {
    let registry = Registry::new();
    let up = Gauge::with_opts(Opts::new("botfleet_platform_up", "1 when the platform figures below could be read."))?;
    registry.register(Box::new(up.clone()))?;
    up.set(if metrics.is_some() { 1.0 } else { 0.0 });
    if let Some(m) = metrics {
        let computed = Gauge::with_opts(Opts::new(
            "botfleet_platform_computed_timestamp_seconds",
            "When the platform figures were computed (at most once a minute per instance).",
        ))?;
        registry.register(Box::new(computed.clone()))?;
        computed.set(seconds(m.computed_at));
        let subs =
            ints(&registry, "botfleet_platform_users", "Users by plan and subscription status.", &["plan", "status"])?;
        for (plan, status, n) in &m.subscriptions {
            let status =
                serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            subs.with_label_values(&[plan.as_str(), status.as_str()]).set(count(*n));
        }
        let accounts = ints(&registry, "botfleet_platform_accounts", "User accounts by account status.", &["status"])?;
        for (status, n) in &m.accounts {
            let status =
                serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            accounts.with_label_values(&[status.as_str()]).set(count(*n));
        }
        let mrr = floats(
            &registry,
            "botfleet_platform_mrr",
            "Monthly recurring revenue by provider and currency (annual periods divided by 12; never converted).",
            &["provider", "currency"],
        )?;
        let priced = ints(
            &registry,
            "botfleet_platform_mrr_subscriptions",
            "Active paid subscriptions summed in the MRR, by provider and currency.",
            &["provider", "currency"],
        )?;
        for r in &m.mrr {
            let labels = [provider_name(r.provider), r.currency.as_str()];
            mrr.with_label_values(&labels).set(r.amount.to_f64().unwrap_or_default());
            priced.with_label_values(&labels).set(count(r.subscriptions));
        }
        let unpriced = ints(
            &registry,
            "botfleet_platform_unpriced_subscriptions",
            "Active paid subscriptions with no approved charge to price them, by provider.",
            &["provider"],
        )?;
        for (provider, n) in &m.unpriced {
            unpriced.with_label_values(&[provider_label(*provider)]).set(count(*n));
        }
        let help = "per UTC day (label `day`), the last 30 days.";
        let signups = ints(&registry, "botfleet_platform_signups", &format!("Users created {help}"), &["day"])?;
        let cancels = ints(
            &registry,
            "botfleet_platform_cancellations",
            &format!("Subscription cancellations {help}"),
            &["day"],
        )?;
        let orders = ints(&registry, "botfleet_platform_orders", &format!("Orders created {help}"), &["day"])?;
        for d in &m.days {
            let day = d.day.to_string();
            signups.with_label_values(&[day.as_str()]).set(count(d.signups));
            cancels.with_label_values(&[day.as_str()]).set(count(d.cancellations));
            orders.with_label_values(&[day.as_str()]).set(count(d.orders));
        }
        let bots = ints(&registry, "botfleet_platform_running_bots", "Running bots by kind.", &["kind"])?;
        for (kind, n) in &m.running_bots {
            bots.with_label_values(&[kind.as_str()]).set(count(*n));
        }
        let lease = floats(
            &registry,
            "botfleet_platform_workflow_lease_expiry_timestamp_seconds",
            "When each workflow's lease lapses unless renewed, labelled with its holder.",
            &["workflow", "holder"],
        )?;
        for (name, holder) in &m.leases {
            if let Some(holder) = holder {
                lease.with_label_values(&[*name, holder.holder.as_str()]).set(seconds(holder.expires_at));
            }
        }
    }
    let run = floats(
        &registry,
        "botfleet_platform_workflow_last_run_timestamp_seconds",
        "When each workflow's last run (or skip) on any instance started.",
        &["workflow"],
    )?;
    let success = floats(
        &registry,
        "botfleet_platform_workflow_last_success_timestamp_seconds",
        "When each workflow's last successful run on any instance ended.",
        &["workflow"],
    )?;
    let error = floats(
        &registry,
        "botfleet_platform_workflow_last_error_timestamp_seconds",
        "When each workflow's last failed run on any instance ended.",
        &["workflow"],
    )?;
    for s in statuses {
        if let Some(at) = s.last_started {
            run.with_label_values(&[s.name]).set(seconds(at));
        }
        if let Some(at) = s.last_success {
            success.with_label_values(&[s.name]).set(seconds(at));
        }
        if let Some((at, _)) = &s.last_error {
            error.with_label_values(&[s.name]).set(seconds(*at));
        }
    }
    let mut buffer = Vec::new();
    TextEncoder::new().encode(&registry.gather(), &mut buffer)?;
    String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
}
