//! `AppState`: what every handler can reach, shared by all workers as `web::Data<AppState>`.
//!
//! To add a dependency (a use-case service, a gateway): add a `pub` field holding an `Arc` (or
//! another cheap-to-clone handle), set it in `bootstrap::state` (and the test helpers), and take
//! `web::Data<AppState>` in the handler.

use std::fmt;
use std::sync::Arc;

use application::contexts::ContextService;
use application::credentials::CredentialService;
use application::identity::IdentityService;
use application::market::MarketService;
use application::subscriptions::SubscriptionService;
use async_trait::async_trait;
use domain::identity::RequestMeta;
use domain::Clock;
use infrastructure::scheduler::Scheduler;

use crate::ip_limit::IpLimiter;
use crate::metrics::Metrics;
use crate::settings::Settings;

/// Whether the service can do useful work (the store answers). Backs `GET /health/ready`.
#[async_trait]
pub trait ReadinessCheck: Send + Sync {
    /// `Ok` when ready; the error (logged, never shown) says what is not.
    async fn check(&self) -> anyhow::Result<()>;
}

/// A check that always passes (until a store is wired in).
#[derive(Clone, Copy, Debug, Default)]
pub struct AlwaysReady;

#[async_trait]
impl ReadinessCheck for AlwaysReady {
    async fn check(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Per-client-IP request limits of the public auth endpoints.
#[derive(Debug)]
pub struct IpLimits {
    /// `POST /api/auth/register`: 3 a minute.
    pub register: IpLimiter,
    /// `POST /api/auth/login`: 5 a minute.
    pub login: IpLimiter,
    /// `POST /api/auth/refresh`: 30 a minute.
    pub refresh: IpLimiter,
    /// `POST /api/auth/password/forgot`: 5 a minute.
    pub forgot: IpLimiter,
    /// `POST /api/auth/password/reset` and `POST /api/auth/email/verify`: 10 a minute.
    pub redeem: IpLimiter,
}

impl Default for IpLimits {
    fn default() -> Self {
        Self {
            register: IpLimiter::per_minute(3),
            login: IpLimiter::per_minute(5),
            refresh: IpLimiter::per_minute(30),
            forgot: IpLimiter::per_minute(5),
            redeem: IpLimiter::per_minute(10),
        }
    }
}

/// The use cases and ports handlers call, built once at start-up (see `bootstrap::services`).
#[derive(Clone, Debug)]
pub struct Services {
    /// The operators' backoffice (its own accounts, sessions, audit).
    pub backoffice: Arc<application::backoffice::Backoffice>,
    /// The operators' platform metrics (cached a minute; also the `botfleet_platform_*` gauges).
    pub platform_metrics: Arc<application::backoffice::PlatformMetricsService>,
    /// Accounts and sessions.
    pub identity: Arc<IdentityService>,
    /// Legal texts and consents.
    pub legal: Arc<application::legal::LegalService>,
    /// The personal-data export, page by page.
    pub export: Arc<application::identity::DataExport>,
    /// Exchange credentials.
    pub credentials: Arc<CredentialService>,
    /// Plans, subscriptions, payments.
    pub subscriptions: Arc<SubscriptionService>,
    /// Trading contexts.
    pub contexts: Arc<ContextService>,
    /// Bots.
    pub bots: Arc<application::bots::BotService>,
    /// Orders.
    pub orders: Arc<application::orders::OrderService>,
    /// Reports over the history (profit, positions, trades) and the trades export.
    pub reports: Arc<application::reports::ReportService>,
    /// Signals per context (`candle_analysis` and its reads).
    pub analysis: Arc<application::analysis::ContextAnalysis>,
    /// The execution engine (recovery at start; the workflows run it).
    pub engine: Arc<application::engine::Engine>,
    /// The dashboard's balances and health across the user's accounts.
    pub dashboard_accounts: Arc<application::dashboard::AccountsView>,
    /// Market data.
    pub market: Arc<MarketService>,
    /// The dashboard's performance series and advanced metrics.
    pub analytics: Arc<application::analytics::AnalyticsService>,
    /// The dashboard's read models (the summary and its per-user cache).
    pub dashboard: Arc<application::dashboard::DashboardService>,
    /// The PDF report (MAX), rendered by the renderer built at start-up.
    pub pdf_report: Arc<application::dashboard::PdfReportService>,
    /// The paper exchanges (price control in tests and demos).
    pub paper: Arc<crate::exchanges::PaperExchanges>,
    /// The in-app inbox (list, unread count, mark read).
    pub inbox: Arc<application::notifications::Inbox>,
    /// Which channels carry which event types for each user.
    pub notification_preferences: Arc<application::notifications::NotificationSettings>,
    /// The live event streams (SSE) of this instance.
    pub event_streams: Arc<application::notifications::EventStreams>,
    /// The single-use tickets a browser opens a live stream with.
    pub stream_tickets: Arc<application::notifications::StreamTickets>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Per-IP limits.
    pub limits: Arc<IpLimits>,
    /// The workflow scheduler (started with the server).
    pub workflows: Arc<Scheduler>,
    /// Linking a Telegram chat; `None` when Telegram is off.
    pub telegram: Option<Arc<application::notifications::TelegramLinking>>,
    /// Woken by writes that carry events: runs `relay_events` at once (`startup.rs`).
    pub relay_nudge: infrastructure::repositories::RelayNudge,
    /// Outbound webhook endpoints and deliveries.
    pub webhooks: Arc<application::webhooks::WebhookService>,
    /// The assistant (conversations, tools, proposals, the daily quota).
    pub assistant: Arc<application::assistant::AssistantService>,
}

/// Everything handlers share: the settings, the metrics, readiness and the [`Services`] (held, not
/// copied; `state.bots` reaches `state.services.bots` through `Deref`). Cloning is cheap: every
/// field is a shared handle.
#[derive(Clone)]
pub struct AppState {
    /// The settings the server started with.
    pub settings: Arc<Settings>,
    /// The Prometheus registry (`/metrics`); register other collectors into it.
    pub metrics: Metrics,
    /// What `/health/ready` asks.
    pub readiness: Arc<dyn ReadinessCheck>,
    /// The use cases and ports handlers call.
    pub services: Services,
    /// The JSON of each cached performance answer, rendered once (`GET /api/dashboard/performance`).
    pub performance_json: Arc<crate::rendered::RenderedJson<application::analytics::Performance>>,
    /// The JSON of each order listed, kept with the order it was rendered from (`GET /api/orders`).
    pub order_json: Arc<crate::rendered::RenderedEach<domain::shared::ids::OrderId, domain::orders::Order>>,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

impl AppState {
    /// `settings` and `services`, a fresh [`Metrics`] and [`AlwaysReady`]; swap parts with the
    /// `with_*` methods.
    pub fn new(settings: Settings, services: Services) -> Self {
        Self {
            settings: Arc::new(settings),
            metrics: Metrics::new(),
            readiness: Arc::new(AlwaysReady),
            services,
            performance_json: Arc::default(),
            order_json: Arc::default(),
        }
    }

    /// Takes one token of `limiter` for the request's client IP; requests whose IP is unknown
    /// share one bucket.
    pub fn limit_ip(&self, limiter: &IpLimiter, meta: &RequestMeta) -> Result<(), crate::error::ApiError> {
        limiter.acquire(meta.ip.as_deref()).map_err(|retry| crate::error::ApiError::rate_limited(retry.0))
    }

    /// Uses `metrics` (one registry shared with components built before the server).
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Uses `check` for `/health/ready`.
    pub fn with_readiness(mut self, check: Arc<dyn ReadinessCheck>) -> Self {
        self.readiness = check;
        self
    }
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState").field("settings", &self.settings).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Down;

    #[async_trait]
    impl ReadinessCheck for Down {
        async fn check(&self) -> anyhow::Result<()> {
            anyhow::bail!("store unreachable")
        }
    }

    async fn state() -> AppState {
        let settings =
            Settings::from_pairs(&[("BOTFLEET_DEV_MODE", "true"), ("BOTFLEET_DATA_DIR", ":memory:")]).unwrap();
        crate::bootstrap::state(settings).await.unwrap()
    }

    #[actix_web::test]
    async fn ready_with_the_store_and_checks_can_be_swapped() {
        let state = state().await;
        assert!(state.readiness.check().await.is_ok());

        let state = state.with_readiness(Arc::new(Down));
        assert!(state.readiness.check().await.is_err());
    }

    #[actix_web::test]
    async fn debug_redacts_secrets_via_settings() {
        let state = state().await;

        let debug = format!("{state:?}");
        assert!(debug.contains("[REDACTED]") && !debug.contains(state.settings.jwt.secret.expose()));
    }
}
