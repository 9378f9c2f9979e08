//! `GET /api/dashboard/health`: the caller's bots, breakers, credentials, exchange accounts,
//! plan usage and alerts.

use actix_web::{get, web, HttpResponse};
use application::dashboard::{Alert, BotHealth, CredentialHealth, Health, LastError};
use domain::bots::{Trip, TripReason};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::balances::ExchangeHealthResponse;
use super::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::subscriptions::UsageResponse;
use crate::routes::wire::{
    AlertKind, AlertSeverity, BotKind, BotStatus, CredentialStatus, Exchange, Plan, TradingMode,
};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(dashboard_health);
}

/// One alert; it lasts as long as its condition.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertResponse {
    /// What about.
    pub kind: AlertKind,
    /// How urgent.
    pub severity: AlertSeverity,
    /// The bot concerned.
    pub bot_id: Option<String>,
    /// The context concerned.
    pub context_id: Option<String>,
    /// What is going on.
    pub message: String,
    /// Since when, as far as it is recorded.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<OffsetDateTime>,
}

impl From<Alert> for AlertResponse {
    fn from(a: Alert) -> Self {
        Self {
            kind: a.kind.into(),
            severity: a.severity.into(),
            bot_id: a.bot_id.map(|id| id.to_string()),
            context_id: a.context_id.map(|id| id.to_string()),
            message: a.message,
            since: a.since,
        }
    }
}

/// The last stop or pause of a bot that its owner did not order.
#[derive(Debug, Serialize, ToSchema)]
pub struct LastErrorResponse {
    /// The reason recorded.
    pub message: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

impl From<LastError> for LastErrorResponse {
    fn from(e: LastError) -> Self {
        Self { message: e.message, at: e.at }
    }
}

/// A trip of a circuit breaker: when and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct TripResponse {
    /// When it tripped.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Why: the trigger and its figures.
    pub reason: TripReason,
    /// Why, in words.
    pub description: String,
}

impl From<Trip> for TripResponse {
    fn from(t: Trip) -> Self {
        Self { at: t.at, description: t.reason.describe(), reason: t.reason }
    }
}

/// A bot's circuit breaker: state, counts, thresholds.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakerHealthResponse {
    /// Whether it may trip.
    pub enabled: bool,
    /// Set while tripped: when and why.
    pub tripped: Option<TripResponse>,
    /// Losing trades in a row.
    pub consecutive_losses: u32,
    /// The losing streak that trips it.
    pub max_consecutive_losses: u32,
    /// Realized loss of the last 24 hours, quote asset.
    #[schema(value_type = String)]
    pub daily_loss: Decimal,
    /// The daily loss that trips it (quote asset).
    #[schema(value_type = Option<String>)]
    pub daily_loss_limit: Option<Decimal>,
    /// That limit as % of the allocation.
    #[schema(value_type = String)]
    pub max_daily_loss_percent: Decimal,
}

/// One bot's operational state.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotHealthResponse {
    /// Bot id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its context.
    pub context_id: String,
    /// Strategy.
    pub kind: BotKind,
    /// Exchange.
    pub exchange: Exchange,
    /// Live or paper.
    pub mode: TradingMode,
    /// Market (`BTC-BRL`).
    pub symbol: String,
    /// Status.
    pub status: BotStatus,
    /// Why.
    pub status_reason: Option<String>,
    /// Since when.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub status_since: OffsetDateTime,
    /// When the engine last wrote a change of it (its last evaluation that changed something).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub last_evaluated_at: OffsetDateTime,
    /// The last price its evaluation accepted.
    #[schema(value_type = Option<String>)]
    pub last_price: Option<Decimal>,
    /// The last stop or pause not ordered by its owner (breaker, withdrawal, books, plan…).
    pub last_error: Option<LastErrorResponse>,
    /// Circuit breaker.
    pub breaker: BreakerHealthResponse,
    /// The soft stop halted buying.
    pub buying_halted: bool,
    /// Why the engine holds its entries, if it does.
    pub entry_hold: Option<String>,
}

impl From<BotHealth> for BotHealthResponse {
    fn from(b: BotHealth) -> Self {
        let breaker = b.breaker;
        Self {
            id: b.id.to_string(),
            name: b.name,
            context_id: b.context_id.to_string(),
            kind: b.kind.into(),
            exchange: b.exchange.into(),
            mode: b.mode.into(),
            symbol: b.symbol.to_string(),
            status: b.status.into(),
            status_reason: b.status_reason,
            status_since: b.status_since,
            last_evaluated_at: b.last_evaluated_at,
            last_price: b.last_price.map(|p| p.normalize()),
            last_error: b.last_error.map(Into::into),
            breaker: BreakerHealthResponse {
                enabled: breaker.enabled,
                tripped: breaker.tripped.map(Into::into),
                consecutive_losses: breaker.consecutive_losses,
                max_consecutive_losses: breaker.max_consecutive_losses,
                daily_loss: breaker.daily_loss.normalize(),
                daily_loss_limit: breaker.daily_loss_limit.map(|l| l.normalize()),
                max_daily_loss_percent: breaker.max_daily_loss_percent.normalize(),
            },
            buying_halted: b.buying_halted,
            entry_hold: b.entry_hold,
        }
    }
}

/// A credential's stored validation state; never the key or the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialHealthResponse {
    /// Credential id.
    pub id: String,
    /// Exchange.
    pub exchange: Exchange,
    /// `unverified`, `valid` or `invalid`.
    pub status: CredentialStatus,
    /// Why it is invalid, when known.
    pub status_reason: Option<String>,
    /// When it was last validated.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub validated_at: Option<OffsetDateTime>,
}

impl From<CredentialHealth> for CredentialHealthResponse {
    fn from(c: CredentialHealth) -> Self {
        Self {
            id: c.id.to_string(),
            exchange: c.exchange.into(),
            status: c.status.into(),
            status_reason: c.status_reason,
            validated_at: c.validated_at,
        }
    }
}

/// The plan and its use.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanUsageResponse {
    /// The plan whose limits apply.
    pub plan: Plan,
    /// Bots.
    pub bots: UsageResponse,
    /// Contexts.
    pub contexts: UsageResponse,
}

/// The caller's operational view.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// When it was put together.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub checked_at: OffsetDateTime,
    /// Each bot, oldest first.
    pub bots: Vec<BotHealthResponse>,
    /// Each credential's validation state.
    pub credentials: Vec<CredentialHealthResponse>,
    /// Each exchange account of the contexts.
    pub exchanges: Vec<ExchangeHealthResponse>,
    /// The plan's usage.
    pub plan: PlanUsageResponse,
    /// Alerts, most urgent first, then oldest first.
    pub alerts: Vec<AlertResponse>,
}

impl From<Health> for HealthResponse {
    fn from(h: Health) -> Self {
        Self {
            checked_at: h.checked_at,
            bots: h.bots.into_iter().map(Into::into).collect(),
            credentials: h.credentials.into_iter().map(Into::into).collect(),
            exchanges: h.exchanges.into_iter().map(Into::into).collect(),
            plan: PlanUsageResponse {
                plan: h.plan.plan.into(),
                bots: UsageResponse { used: h.plan.bots, limit: h.plan.bots_limit.max() },
                contexts: UsageResponse { used: h.plan.contexts, limit: h.plan.contexts_limit.max() },
            },
            alerts: h.alerts.into_iter().map(Into::into).collect(),
        }
    }
}

/// The caller's operational view: each bot's status, last evaluation, last error and circuit
/// breaker; each credential's stored validation state; each exchange account's reachability
/// (read now, as for the balances); the plan's usage; and the alerts: `breaker_tripped`,
/// `soft_stop_hit`, `take_profit_near` (the price is at or above 99% of an open position's
/// take-profit price, `entry × (1 + take_profit_percent/100)`), `plan_limit_reached`,
/// `funds_withdrawn`, `entries_held`, `credential_invalid`, `exchange_unreachable`. An alert is
/// derived from the current state: it disappears when its condition ends.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "The operational view", body = HealthResponse))
)]
#[get("/api/dashboard/health")]
pub async fn dashboard_health(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let health = state.dashboard_accounts.health(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(HealthResponse::from(health)))
}
