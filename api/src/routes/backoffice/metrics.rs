//! `GET /backoffice/api/metrics`: the platform's figures for operators (users by plan and
//! status, MRR by provider and currency, sign-ups, cancellations and orders per day, running bots
//! by kind, workflow health). The same snapshot feeds the `botfleet_platform_*` gauges of
//! `GET /metrics` (`crate::platform_metrics`).

use actix_web::{get, web, HttpResponse};
use application::backoffice::{provider_name, PlatformMetrics};
use infrastructure::scheduler::WorkflowStatus;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::TAG;
use crate::error::ApiError;
use crate::routes::system::WorkflowOutcome;
use crate::routes::wire::{BotKind, PaymentProvider, Plan, SubscriptionStatus, UserStatus};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_platform_metrics);
}

/// Subscriptions on one plan in one status.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanStatusCount {
    /// The plan.
    pub plan: Plan,
    /// The subscription's status.
    pub status: SubscriptionStatus,
    /// How many users.
    pub count: u64,
}

/// Accounts in one status.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountStatusCount {
    /// The account status.
    pub status: UserStatus,
    /// How many.
    pub count: u64,
}

/// Monthly recurring revenue of one provider in one currency (never converted).
#[derive(Debug, Serialize, ToSchema)]
pub struct MrrResponse {
    /// Who bills it.
    pub provider: PaymentProvider,
    /// ISO 4217 currency.
    #[schema(example = "BRL")]
    pub currency: String,
    /// The monthly amounts summed (an annual period counts a twelfth), rounded to the cent.
    #[schema(value_type = String, example = "116.90")]
    pub amount: Decimal,
    /// The active paid subscriptions summed.
    pub subscriptions: u64,
}

/// Active paid subscriptions with no approved charge to price them (left out of the MRR).
#[derive(Debug, Serialize, ToSchema)]
pub struct UnpricedCount {
    /// Who bills them (`null`: no provider recorded).
    pub provider: Option<PaymentProvider>,
    /// How many.
    pub count: u64,
}

/// One UTC day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayResponse {
    /// The day (`YYYY-MM-DD`, UTC).
    #[schema(value_type = String, format = Date)]
    pub day: String,
    /// Users created that day.
    pub signups: u64,
    /// Cancellations (a `subscription.canceled` event: a cancellation scheduled, or a paid plan ended).
    pub cancellations: u64,
    /// Orders created (live and paper).
    pub orders: u64,
}

/// Running bots of one kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunningBotsCount {
    /// The kind.
    pub kind: BotKind,
    /// How many are running.
    pub count: u64,
}

/// One workflow's health: its last runs on any instance (from the store) and its lease.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowHealth {
    /// The catalogue name.
    pub name: String,
    /// Switched on here.
    pub enabled: bool,
    /// Implemented in this build.
    pub registered: bool,
    /// When the last run on any instance started (a skip on this one before the first stored run).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_run_at: Option<OffsetDateTime>,
    /// How it ended.
    pub last_outcome: Option<WorkflowOutcome>,
    /// When the last successful run on any instance ended.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_success_at: Option<OffsetDateTime>,
    /// When the last failed run on any instance ended.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_error_at: Option<OffsetDateTime>,
    /// That run's error.
    pub last_error: Option<String>,
    /// The instance holding (or last holding) its lease, read at this request.
    pub lease_holder: Option<String>,
    /// When that lease lapses unless renewed.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub lease_expires_at: Option<OffsetDateTime>,
}

/// The platform's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformMetricsResponse {
    /// When the store figures were computed (at most once a minute per instance).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub computed_at: OffsetDateTime,
    /// Users by plan and subscription status, every pair (zeros included).
    pub subscriptions: Vec<PlanStatusCount>,
    /// Accounts by status.
    pub accounts: Vec<AccountStatusCount>,
    /// MRR by provider and currency.
    pub mrr: Vec<MrrResponse>,
    /// Active paid subscriptions the MRR could not price.
    pub unpriced_subscriptions: Vec<UnpricedCount>,
    /// The last 30 UTC days, oldest first.
    pub days: Vec<DayResponse>,
    /// Running bots by kind, every kind.
    pub running_bots: Vec<RunningBotsCount>,
    /// Every catalogue workflow.
    pub workflows: Vec<WorkflowHealth>,
}

/// Each workflow's health: `statuses` (shared through the store) with the leases read now.
pub fn workflow_health(metrics: &PlatformMetrics, statuses: Vec<WorkflowStatus>) -> Vec<WorkflowHealth> {
    statuses
        .into_iter()
        .map(|s| {
            let lease = metrics.leases.iter().find(|(name, _)| *name == s.name).and_then(|(_, lease)| lease.clone());
            WorkflowHealth {
                name: s.name.to_owned(),
                enabled: s.enabled,
                registered: s.registered,
                last_run_at: s.last_started,
                last_outcome: s.last_outcome.map(Into::into),
                last_success_at: s.last_success,
                last_error_at: s.last_error.as_ref().map(|e| e.0),
                last_error: s.last_error.map(|e| e.1),
                lease_holder: lease.as_ref().map(|l| l.holder.clone()),
                lease_expires_at: lease.map(|l| l.expires_at),
            }
        })
        .collect()
}

impl PlatformMetricsResponse {
    fn new(m: &PlatformMetrics, statuses: Vec<WorkflowStatus>) -> Self {
        Self {
            computed_at: m.computed_at,
            subscriptions: m
                .subscriptions
                .iter()
                .map(|(plan, status, count)| PlanStatusCount {
                    plan: (*plan).into(),
                    status: (*status).into(),
                    count: *count,
                })
                .collect(),
            accounts: m
                .accounts
                .iter()
                .map(|(status, count)| AccountStatusCount { status: (*status).into(), count: *count })
                .collect(),
            mrr: m
                .mrr
                .iter()
                .map(|r| MrrResponse {
                    provider: r.provider.into(),
                    currency: r.currency.clone(),
                    amount: r.amount,
                    subscriptions: r.subscriptions,
                })
                .collect(),
            unpriced_subscriptions: m
                .unpriced
                .iter()
                .map(|(provider, count)| UnpricedCount { provider: provider.map(Into::into), count: *count })
                .collect(),
            days: m
                .days
                .iter()
                .map(|d| DayResponse {
                    day: d.day.to_string(),
                    signups: d.signups,
                    cancellations: d.cancellations,
                    orders: d.orders,
                })
                .collect(),
            running_bots: m
                .running_bots
                .iter()
                .map(|(kind, count)| RunningBotsCount { kind: (*kind).into(), count: *count })
                .collect(),
            workflows: workflow_health(m, statuses),
        }
    }
}

/// The platform's figures (every role): users by plan and status, MRR by provider and currency
/// (each active paid subscription billed by a provider priced by its newest approved charge of
/// the last 400 days, an annual one divided by 12, comps and trials 0; never converted between
/// currencies), sign-ups, cancellations and orders per UTC day for the last 30 days, running bots
/// by kind, and each workflow's last run, success and error on whichever instance ran it, with
/// its lease holder. The store figures are computed at most once a minute per instance
/// (`computed_at`); the same snapshot feeds the `botfleet_platform_*` gauges of `/metrics` (for
/// the ops token only).
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "The platform's figures", body = PlatformMetricsResponse))
)]
#[get("/backoffice/api/metrics")]
pub async fn bo_platform_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let snapshot = state.platform_metrics.current().await?;
    let body = PlatformMetricsResponse::new(&snapshot, state.workflows.shared_statuses().await);
    Ok(HttpResponse::Ok().json(body))
}

/// The provider label of the gauges.
pub(crate) fn provider_label(provider: Option<domain::subscriptions::PaymentProvider>) -> &'static str {
    provider.map_or("none", provider_name)
}
