//! Start-up wiring: command line, settings, telemetry, state, server. `main` only calls [`run`].
//!
//! To wire a store or a use case: build it in [`state`] from the settings and put it in a new
//! `AppState` field (see `state.rs`).

use std::sync::Arc;

use anyhow::Context;
use application::analysis::{AnalysisConfig, AnalysisPorts, ContextAnalysis};
use application::analytics::{MetricsCache, PerformanceCache, PERFORMANCE_TTL};
use application::backoffice::{Backoffice, BackofficeConfig, BackofficePorts};
use application::bots::{BotLimitEnforcer, BotPorts, BotService};
use application::contexts::{ContextLimitEnforcer, ContextPorts, ContextService};
use application::credentials::{CredentialPorts, CredentialService};
use application::dashboard::{AccountsPorts, AccountsView};
use application::dashboard::{DashboardService, SummaryCache, SummaryPorts, SUMMARY_TTL};
use application::engine::{Engine, EnginePorts};
use application::identity::{
    AccountMail, DataExport, ExportPorts, IdentityConfig, IdentityPorts, IdentityService, ServiceTeardown,
    VerifiedEmailGate,
};
use application::legal::{LegalPorts, LegalService};
use application::market::MarketService;
use application::notify::EventSink;
use application::orders::{OrderPorts, OrderService};
use application::reports::{ReportPorts, ReportService};
use application::subscriptions::{PaymentGateways, SubscriptionPorts, SubscriptionService};
use async_trait::async_trait;
use domain::Clock;
use infrastructure::clock::SystemClock;
use infrastructure::crypto::{AesGcmCipher, Argon2Hasher, JwtIssuer};
use infrastructure::payments::mercadopago::{MercadoPagoConfig, MercadoPagoGateway};
use infrastructure::payments::stripe::{StripeConfig, StripeGateway};
use infrastructure::repositories::{
    open_embedded_store, open_mongo, Repositories, StoreRunningBots, StoreUsageCounter,
};
use infrastructure::store::sqlite::SqliteOptions;
use infrastructure::store::DocumentStore;

use crate::metrics::Metrics;
use crate::settings::{Settings, StoreSettings};
use crate::startup::Application;
use crate::state::{AppState, IpLimits, ReadinessCheck, Services};
use crate::telemetry;
use crate::workflows::WorkflowPorts;

pub use crate::cli::{Cli, Command, USAGE};

/// Reads the settings from the environment; `--dev` forces `BOTFLEET_DEV_MODE=true`.
pub fn load_settings(cli: &Cli) -> Result<Settings, crate::settings::SettingsError> {
    Settings::from_lookup(|var| {
        if cli.dev && var == "BOTFLEET_DEV_MODE" {
            return Some("true".to_owned());
        }
        std::env::var(var).ok()
    })
}

/// Opens the store the settings name: MongoDB when `MONGODB_URI` is set, else the embedded store
/// (on disk, or in memory for `BOTFLEET_DATA_DIR=:memory:`).
pub async fn open_store(settings: &Settings) -> anyhow::Result<Repositories> {
    match &settings.store {
        StoreSettings::Mongo { uri, database } => {
            open_mongo(uri.expose(), database).await.context("connecting to MongoDB (MONGODB_URI)")
        }
        StoreSettings::Embedded { data_dir } => open_embedded_store(Some(data_dir), embedded_options(settings))
            .await
            .map(|(_, repositories)| repositories)
            .with_context(|| format!("opening the embedded store in {} (BOTFLEET_DATA_DIR)", data_dir.display())),
        StoreSettings::InMemory => open_embedded_store(None, embedded_options(settings))
            .await
            .map(|(_, repositories)| repositories)
            .context("opening the in-memory store"),
    }
}

/// The account e-mails (none without an SMTP server, said once in the log) and the check live
/// trading makes (on only where e-mail verification is).
fn account_mail(
    settings: &Settings,
    repositories: &Repositories,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(Option<Arc<AccountMail>>, Arc<VerifiedEmailGate>)> {
    let gate = if settings.mail.email_verification {
        VerifiedEmailGate::on(repositories.users.clone())
    } else {
        VerifiedEmailGate::off()
    };
    let Some(smtp) = settings.mail.smtp.clone() else {
        tracing::info!("e-mail is off: BOTFLEET_SMTP_HOST is not set (no password recovery, no e-mail verification)");
        return Ok((None, Arc::new(gate)));
    };
    let (host, port) = (smtp.host.clone(), smtp.port);
    let mailer = Arc::new(infrastructure::mail::SmtpMailer::new(smtp).context("BOTFLEET_SMTP_*")?);
    tracing::info!(%host, port, verification = settings.mail.email_verification, "e-mail is on over SMTP");
    let mail = AccountMail::new(mailer, repositories.email_tokens.clone(), clock, &settings.mail.public_url);
    Ok((Some(Arc::new(mail)), Arc::new(gate)))
}

/// The backoffice over `repositories` (the server's, and the `operator` command's).
pub fn backoffice(
    settings: &Settings,
    repositories: &Repositories,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Backoffice> {
    let cipher = AesGcmCipher::from_env_value(&settings.encryption_key).context("BOTFLEET_ENCRYPTION_KEY")?;
    let ports = BackofficePorts {
        operators: repositories.operators.clone(),
        sessions: repositories.operator_sessions.clone(),
        audit: repositories.operator_audit.clone(),
        hits: repositories.hits.clone(),
        users: repositories.users.clone(),
        user_sessions: repositories.sessions.clone(),
        bots: repositories.bots.clone(),
        facets: repositories.user_facets.clone(),
        hasher: Arc::new(Argon2Hasher::production()),
        cipher: Arc::new(cipher),
        clock,
    };
    Ok(Backoffice::new(ports, BackofficeConfig { domains: settings.backoffice_domains.clone() }))
}

/// The embedded store's options from the settings.
fn embedded_options(settings: &Settings) -> SqliteOptions {
    SqliteOptions { cache_bytes: settings.store_cache_mb << 20, ..SqliteOptions::default() }
}

/// Builds the use cases over `repositories` with the adapters the settings configure; exchange
/// metrics go into `metrics`.
pub async fn services(
    settings: &Settings,
    repositories: &Repositories,
    clock: Arc<dyn Clock>,
    metrics: &Metrics,
) -> anyhow::Result<Services> {
    // The markets' clock: real time, or faster for demos and scenario tests (BOTFLEET_CLOCK_SPEED).
    let market_clock: Arc<dyn Clock> = if settings.workflows.clock_speed > 1.0 {
        Arc::new(infrastructure::clock::ScaledClock::new(settings.workflows.clock_speed))
    } else {
        clock.clone()
    };
    let (directory, paper) =
        crate::exchanges::build(settings, repositories.store.clone(), market_clock.clone(), metrics).await?;
    let directory = Arc::new(directory);
    let cipher = Arc::new(AesGcmCipher::from_env_value(&settings.encryption_key).context("BOTFLEET_ENCRYPTION_KEY")?);
    let tokens = Arc::new(
        JwtIssuer::new(&settings.jwt.secret, &settings.jwt.issuer, &settings.jwt.audience)
            .context("BOTFLEET_JWT_SECRET")?,
    );
    let legal = Arc::new(LegalService::new(
        LegalPorts { consents: repositories.consents.clone(), users: repositories.users.clone(), clock: clock.clone() },
        settings.legal.texts.clone(),
    ));
    let credentials = Arc::new(CredentialService::new(CredentialPorts {
        credentials: repositories.credentials.clone(),
        cipher: cipher.clone(),
        audit: repositories.audit.clone(),
        clock: clock.clone(),
        exchanges: directory.clone(),
    }));
    let subscriptions = SubscriptionService::new(SubscriptionPorts {
        subscriptions: repositories.subscriptions.clone(),
        payment_events: repositories.payment_events.clone(),
        charges: repositories.charges.clone(),
        coupons: repositories.coupons.clone(),
        gateways: payment_gateways(settings)?,
        usage: Arc::new(StoreUsageCounter::new(repositories.store.clone())),
        enforcers: vec![
            Arc::new(ContextLimitEnforcer { contexts: repositories.contexts.clone(), clock: clock.clone() }),
            Arc::new(BotLimitEnforcer { bots: repositories.bots.clone(), clock: clock.clone() }),
        ],
        table: settings.payments.entitlements.clone(),
        clock: clock.clone(),
        leases: repositories.leases.clone(),
    })
    .with_events(EventSink::new(repositories.events.clone()))
    .with_trial_days(settings.payments.trial_days);
    let subscriptions = Arc::new(subscriptions);
    let (mail, email_gate) = account_mail(settings, repositories, clock.clone())?;
    // The webhooks' clock is the markets' one, so a scaled clock also speeds their 24 hours up.
    let webhook_cipher = cipher.clone();
    let contexts = ContextService::new(ContextPorts {
        contexts: repositories.contexts.clone(),
        credentials: repositories.credentials.clone(),
        cipher,
        subscriptions: subscriptions.clone(),
        exchanges: directory.clone(),
        bots: Arc::new(StoreRunningBots::new(repositories.store.clone())),
        email_gate: email_gate.clone(),
        clock: clock.clone(),
    });
    let contexts = Arc::new(contexts);
    // The dashboard's per-user caches, which the engine tells of every fill (and the series' of
    // every new mark) and the bots' use cases of every bot created, changed or deleted. The
    // series is timed by the markets' clock, as its `to` is.
    // Each also keyed by the user's data version, which every write to the user's bots, orders,
    // contexts or closed positions moves (on any instance): another instance's fill is a miss.
    let versions = repositories.data_versions.clone();
    let summary_cache = Arc::new(SummaryCache::new(SUMMARY_TTL, clock.clone()).with_versions(versions.clone()));
    let performance_cache = Arc::new(
        PerformanceCache::new(PERFORMANCE_TTL, market_clock.clone()).dropped_on_marks().with_versions(versions.clone()),
    );
    let metrics_cache =
        Arc::new(MetricsCache::new(PERFORMANCE_TTL, market_clock.clone()).dropped_on_marks().with_versions(versions));
    let engine = Arc::new(
        Engine::new(EnginePorts {
            bots: repositories.bots.clone(),
            records: repositories.bot_records.clone(),
            orders: repositories.orders.clone(),
            contexts: contexts.clone(),
            exchanges: directory.clone(),
            leases: repositories.leases.clone(),
            clock: market_clock.clone(),
            instance: settings.workflows.instance_id.clone(),
            pending_grace: settings.engine.pending_grace(),
            forgotten_after: settings.engine.forgotten_after(),
            failpoint: settings.engine.failpoint,
        })
        .with_anomaly_policy(settings.anomaly)
        .with_activity_listener(summary_cache.clone())
        .with_activity_listener(performance_cache.clone())
        .with_activity_listener(metrics_cache.clone())
        .with_events(EventSink::new(repositories.events.clone())),
    );
    let bots = BotService::new(BotPorts {
        bots: repositories.bots.clone(),
        records: repositories.bot_records.clone(),
        contexts: contexts.clone(),
        credentials: repositories.credentials.clone(),
        subscriptions: subscriptions.clone(),
        exchanges: directory.clone(),
        executor: engine.clone(),
        legal: legal.clone(),
        email_gate,
        clock: market_clock.clone(),
    })
    .with_activity_listener(summary_cache.clone())
    .with_activity_listener(performance_cache.clone())
    .with_activity_listener(metrics_cache.clone());
    let bots = Arc::new(bots);
    let webhooks = infrastructure::webhooks::service(
        repositories.store.clone(),
        repositories.events.clone(),
        webhook_cipher,
        market_clock.clone(),
        settings.webhooks_allow_private,
    )
    .await?;
    let teardown = ServiceTeardown {
        bots: bots.clone(),
        contexts: repositories.contexts.clone(),
        orders: repositories.orders.clone(),
        order_executor: engine.clone(),
        subscriptions: subscriptions.clone(),
        clock: clock.clone(),
        webhooks: webhooks.clone(),
        conversations: repositories.conversations.clone(),
        data_versions: repositories.data_versions.clone(),
    };
    let identity = IdentityService::new(
        IdentityPorts {
            users: repositories.users.clone(),
            sessions: repositories.sessions.clone(),
            audit: repositories.audit.clone(),
            email_tokens: repositories.email_tokens.clone(),
            mail,
            subscriptions: repositories.subscriptions.clone(),
            credentials: repositories.credentials.clone(),
            hasher: Arc::new(Argon2Hasher::production()),
            tokens,
            clock: clock.clone(),
            legal: legal.clone(),
            teardown: Arc::new(teardown),
            events: repositories.events.clone(),
            preferences: repositories.preferences.clone(),
            deliveries: repositories.deliveries.clone(),
            telegram: repositories.telegram.clone(),
        },
        IdentityConfig { email_verification: settings.mail.email_verification, ..IdentityConfig::default() },
    );
    let export = DataExport::new(ExportPorts {
        consents: repositories.consents.clone(),
        credentials: repositories.credentials.clone(),
        sessions: repositories.sessions.clone(),
        audit: repositories.audit.clone(),
        contexts: repositories.contexts.clone(),
        context_signals: repositories.context_signals.clone(),
        bots: repositories.bots.clone(),
        records: repositories.bot_records.clone(),
        orders: repositories.orders.clone(),
        payment_events: repositories.payment_events.clone(),
        conversations: repositories.conversations.clone(),
        events: repositories.events.clone(),
        telegram: repositories.telegram.clone(),
    });
    let orders = Arc::new(OrderService::new(OrderPorts {
        orders: repositories.orders.clone(),
        bots: repositories.bots.clone(),
        contexts: contexts.clone(),
        exchanges: directory.clone(),
        executor: engine.clone(),
    }));
    let dashboard_accounts = Arc::new(AccountsView::new(AccountsPorts {
        bots: repositories.bots.clone(),
        records: repositories.bot_records.clone(),
        contexts: repositories.contexts.clone(),
        context_service: contexts.clone(),
        credentials: repositories.credentials.clone(),
        subscriptions: subscriptions.clone(),
        exchanges: directory.clone(),
        clock: market_clock.clone(),
    }));
    let analysis = Arc::new(ContextAnalysis::new(
        AnalysisPorts {
            contexts: repositories.contexts.clone(),
            signals: repositories.context_signals.clone(),
            subscriptions: subscriptions.clone(),
            exchanges: directory.clone(),
            clock: market_clock.clone(),
        },
        AnalysisConfig::for_timeframe(settings.analysis.timeframe),
    ));
    let reports = Arc::new(ReportService::new(ReportPorts {
        bots: repositories.bots.clone(),
        records: repositories.bot_records.clone(),
        subscriptions: subscriptions.clone(),
        clock: clock.clone(),
    }));
    let channels = crate::channels::build(settings, repositories, clock.clone())?;
    let suggestions = Arc::new(application::assistant::Suggestions::new(application::assistant::SuggestionPorts {
        conversations: repositories.conversations.clone(),
        bots: repositories.bots.clone(),
        subscriptions: repositories.subscriptions.clone(),
        access: subscriptions.clone(),
        users: repositories.users.clone(),
        clock: clock.clone(),
    }));
    let backoffice = Arc::new(backoffice(settings, repositories, clock.clone())?);
    let workflows = crate::workflows::build(
        settings,
        WorkflowPorts {
            suggestions: &suggestions,
            engine: &engine,
            analysis: &analysis,
            leases: repositories.leases.clone(),
            health: Arc::new(infrastructure::scheduler::StoreWorkflowHealth::new(repositories.store.clone())),
            clock: clock.clone(),
            credentials: &credentials,
            subscriptions: &subscriptions,
            paper: &paper,
            relay: Arc::new(infrastructure::notifications::Relay::new(repositories.store.clone(), clock.clone())),
            webhooks: &webhooks,
            channels: &channels,
            backoffice: &backoffice,
        },
        metrics,
    )?;
    let market = Arc::new(MarketService::new(directory));
    let analytics = Arc::new(application::analytics::AnalyticsService::new(
        application::analytics::AnalyticsPorts {
            bots: repositories.bots.clone(),
            records: repositories.bot_records.clone(),
            subscriptions: subscriptions.clone(),
            market: market.clone(),
            clock: market_clock.clone(),
            performance: performance_cache,
            metrics: metrics_cache,
        },
        settings.analytics,
    ));
    let dashboard = DashboardService::new(SummaryPorts {
        bots: repositories.bots.clone(),
        records: repositories.bot_records.clone(),
        orders: repositories.orders.clone(),
        contexts: repositories.contexts.clone(),
        market: market.clone(),
        clock: clock.clone(),
        cache: summary_cache,
    });
    let renderer = infrastructure::reports::PdfReportRenderer::new().context("loading the PDF report's typeface")?;
    let dashboard = Arc::new(dashboard);
    let pdf_report = Arc::new(application::dashboard::PdfReportService::new(
        analytics.clone(),
        dashboard.clone(),
        subscriptions.clone(),
        repositories.users.clone(),
        Arc::new(renderer),
    ));
    let notifications = notification_services(settings, repositories, clock.clone());
    let assistant = Arc::new(application::assistant::AssistantService::new(application::assistant::AssistantPorts {
        conversations: repositories.conversations.clone(),
        model: crate::assistant::language_model(settings)?,
        bots: bots.clone(),
        contexts: contexts.clone(),
        orders: orders.clone(),
        analysis: analysis.clone(),
        dashboard: dashboard.clone(),
        reports: reports.clone(),
        subscriptions: subscriptions.clone(),
        users: repositories.users.clone(),
        clock: clock.clone(),
    }));
    let platform_metrics = Arc::new(application::backoffice::PlatformMetricsService::new(
        repositories.platform_counts.clone(),
        clock.clone(),
        infrastructure::scheduler::CATALOGUE.iter().map(|entry| entry.name).collect(),
    ));
    Ok(Services {
        backoffice,
        platform_metrics,
        identity: Arc::new(identity),
        legal,
        export: Arc::new(export),
        credentials,
        subscriptions,
        contexts,
        bots,
        orders,
        reports,
        analysis,
        engine,
        dashboard_accounts,
        market,
        analytics,
        dashboard,
        pdf_report,
        paper: Arc::new(paper),
        inbox: notifications.0,
        notification_preferences: notifications.1,
        event_streams: notifications.2,
        stream_tickets: notifications.3,
        clock,
        limits: Arc::new(IpLimits::default()),
        workflows: Arc::new(workflows),
        telegram: channels.telegram.map(|t| t.linking),
        relay_nudge: repositories.relay_nudge.clone(),
        webhooks,
        assistant,
    })
}

/// The in-app inbox, the preferences, the live streams and their tickets.
type NotificationServices = (
    Arc<application::notifications::Inbox>,
    Arc<application::notifications::NotificationSettings>,
    Arc<application::notifications::EventStreams>,
    Arc<application::notifications::StreamTickets>,
);

/// Builds the in-app notification use cases over the event log and the preferences.
fn notification_services(
    settings: &Settings,
    repositories: &Repositories,
    clock: Arc<dyn Clock>,
) -> NotificationServices {
    use application::notifications::{EventStreams, Inbox, NotificationSettings, StreamTickets};
    let (events, preferences) = (repositories.events.clone(), repositories.preferences.clone());
    (
        Arc::new(Inbox::new(events.clone(), preferences.clone(), clock.clone())),
        Arc::new(NotificationSettings::new(preferences, clock.clone())),
        Arc::new(EventStreams::new(events, settings.stream)),
        Arc::new(StreamTickets::new(
            settings.jwt.secret.expose().as_bytes(),
            repositories.spent_tickets.clone(),
            clock,
        )),
    )
}

/// The payment providers whose settings are present; an absent one answers 503.
fn payment_gateways(settings: &Settings) -> anyhow::Result<PaymentGateways> {
    let mut gateways = PaymentGateways::default();
    if let Some(stripe) = &settings.payments.stripe {
        // The settings already read and checked the variables; the gateway validates the config.
        let mut config = StripeConfig::new(
            stripe.secret_key.clone(),
            stripe.webhook_secret.clone(),
            stripe.price_pro.clone(),
            stripe.price_max.clone(),
        );
        config.api_base.clone_from(&stripe.api_base);
        if let Some((pro, max)) = &stripe.annual_prices {
            (config.price_pro_annual, config.price_max_annual) = (Some(pro.clone()), Some(max.clone()));
        }
        gateways.stripe = Some(Arc::new(StripeGateway::new(config)?));
    }
    if let Some(mercadopago) = &settings.payments.mercadopago {
        let mut config = MercadoPagoConfig::new(mercadopago.access_token.clone(), mercadopago.webhook_secret.clone());
        config.api_base.clone_from(&mercadopago.api_base);
        // One annual price per plan for PIX, boleto and the yearly preapproval.
        let table = &settings.payments.entitlements;
        config.price_pro_annual = table.annual_price_brl(domain::subscriptions::Plan::Pro);
        config.price_max_annual = table.annual_price_brl(domain::subscriptions::Plan::Max);
        gateways.mercadopago = Some(Arc::new(MercadoPagoGateway::new(config)?));
    }
    Ok(gateways)
}

/// The store's `ping`, as the readiness check.
struct StoreReadiness(Arc<dyn DocumentStore>);

#[async_trait]
impl ReadinessCheck for StoreReadiness {
    async fn check(&self) -> anyhow::Result<()> {
        self.0.ping().await.map_err(anyhow::Error::from)
    }
}

/// Builds the application state from the settings: store, adapters, use cases.
pub async fn state(settings: Settings) -> anyhow::Result<AppState> {
    let repositories = open_store(&settings).await?;
    state_on(settings, &repositories).await
}

/// Builds the application state over `repositories` (already open; tests keep a handle on them
/// to arrange data the API cannot, such as an admin account).
pub async fn state_on(settings: Settings, repositories: &Repositories) -> anyhow::Result<AppState> {
    state_on_clock(settings, repositories, Arc::new(SystemClock)).await
}

/// [`state_on`] with every use case reading `clock` (tests that set the time of day).
pub async fn state_on_clock(
    settings: Settings,
    repositories: &Repositories,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<AppState> {
    let metrics = Metrics::new();
    let services = services(&settings, repositories, clock, &metrics).await?;
    Ok(AppState::new(settings, services)
        .with_metrics(metrics)
        .with_readiness(Arc::new(StoreReadiness(repositories.store.clone()))))
}

/// Starts telemetry and serves until SIGTERM/SIGINT.
pub async fn run(mut settings: Settings) -> anyhow::Result<()> {
    let dev_secrets = settings.keep_dev_secrets()?;
    telemetry::init(&settings.log)?;
    telemetry::log_startup(&settings, &dev_secrets);
    let application = Application::build(state(settings).await?)?;
    tracing::info!(port = application.port(), "listening");
    application.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn state_is_ready_by_default() {
        let settings = Settings::from_pairs(&[("BOTFLEET_DEV_MODE", "true")]).unwrap();

        let state = state(settings).await.unwrap();

        assert!(state.readiness.check().await.is_ok());
    }
}
