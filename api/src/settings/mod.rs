//! Typed settings: defaults plus environment variables, read once at start-up.
//!
//! To add a setting: add a field to the section struct it belongs to (or a new section with a
//! `load(env: &mut Env)` like the ones below, plus a field on [`Settings`]) and read it with one
//! [`Env`] getter. Errors are collected, so a bad value never stops the others from being checked.

mod analysis;
mod analytics;
mod anomaly;
pub mod assistant;
mod channels;
mod dev_secrets;
mod engine;
mod env;
mod exchanges;
mod keys;
mod legal;
mod mail;
mod payments;
pub(crate) mod proxies;
mod secret;
mod stream;
#[cfg(test)]
mod tests;
mod workflows;

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

pub use analysis::AnalysisSettings;
pub use analytics::RISK_FREE_RATE_VAR;
pub use channels::{ChannelSettings, TelegramSettings, TELEGRAM_TOKEN_VAR};
pub use dev_secrets::{DevSecrets, DEV_SECRETS_FILE};
pub use domain::shared::secret::Secret;
pub use engine::EngineSettings;
pub use env::{Env, SettingError, SettingsError};
pub use exchanges::{Environment, ExchangeSettings};
pub use keys::{check_encryption_key, check_jwt_secret};
pub use legal::{LegalSettings, DEFAULT_PRIVACY_VERSION, DEFAULT_TERMS_VERSION};
pub use mail::MailSettings;
pub use payments::{MercadoPagoSettings, PaymentSettings, StripeSettings, MERCADOPAGO_API_BASE, STRIPE_API_BASE};
pub use proxies::TrustedProxies;
pub use workflows::{WorkflowSettings, WorkflowVars, MIN_OPS_TOKEN_LEN, WORKFLOW_VARS};

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The HTTP listener and request handling.
    pub http: HttpSettings,
    /// Access-token signing.
    pub jwt: JwtSettings,
    /// `BOTFLEET_ENCRYPTION_KEY`: base64 of 32 bytes, or `id:base64,id:base64` (first is current).
    /// Validated here, parsed by the crypto adapter.
    pub encryption_key: Secret,
    /// Where data lives.
    pub store: StoreSettings,
    /// `BOTFLEET_STORE_CACHE_MB`: MiB of documents the embedded store caches by id (default 64;
    /// 0 disables it). MongoDB is not cached: several instances may write it.
    pub store_cache_mb: usize,
    /// Logging.
    pub log: LogSettings,
    /// Payment providers and subscription upkeep.
    pub payments: PaymentSettings,
    /// `BOTFLEET_ENVIRONMENT`: `development` (default), `test` or `production`.
    pub environment: Environment,
    /// Exchanges, the paper exchange and credential revalidation.
    pub exchanges: ExchangeSettings,
    /// The workflow scheduler and the system endpoints.
    pub workflows: WorkflowSettings,
    /// The execution engine (pending-order grace, test failpoint).
    pub engine: EngineSettings,
    /// Signals per context (the `candle_analysis` workflow's timeframe).
    pub analysis: AnalysisSettings,
    /// The dashboard's metrics: `BOTFLEET_ANALYTICS_RISK_FREE_RATE` (annual, a fraction; default 0).
    pub analytics: domain::analytics::MetricsConfig,
    /// What `anomaly_check` counts as a market anomaly (`BOTFLEET_ANOMALY_*`).
    pub anomaly: application::engine::AnomalyPolicy,
    /// The legal texts in force (terms of use, privacy policy) and their versions.
    pub legal: LegalSettings,
    /// E-mail: the SMTP server, the links' address, e-mail verification.
    pub mail: MailSettings,
    /// The live event stream: heartbeat, poll interval, streams per user (`BOTFLEET_SSE_*`).
    pub stream: application::notifications::StreamConfig,
    /// `BOTFLEET_WEBHOOKS_ALLOW_PRIVATE` (default false): outbound webhooks may use `http://` and
    /// reach private, loopback and link-local addresses (tests, on-premise receivers).
    pub webhooks_allow_private: bool,
    /// The notification channels (the e-mail batch window, the Telegram bot).
    pub channels: ChannelSettings,
    /// The assistant's language model (`BOTFLEET_LLM_*`); `None`: the offline guide answers.
    pub llm: Option<infrastructure::llm::OpenAiConfig>,
    /// `BOTFLEET_BACKOFFICE_DOMAINS`: the e-mail domains backoffice operators may have, comma
    /// separated (default none: no operator can be created or log in).
    pub backoffice_domains: Vec<String>,
    /// `BOTFLEET_DEV_MODE` (or `--dev`): missing secrets are generated instead of refused.
    pub dev_mode: bool,
    /// The variables whose secrets were generated because dev mode was on and they were unset.
    pub generated_secrets: Vec<&'static str>,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    /// Development settings in memory plus `extra` (tests of the settings modules).
    #[cfg(test)]
    pub(crate) fn dev_with(extra: &[(&str, &str)]) -> Result<Self, SettingsError> {
        let mut pairs = vec![("BOTFLEET_DEV_MODE", "true"), ("BOTFLEET_DATA_DIR", ":memory:")];
        pairs.extend_from_slice(extra);
        Self::from_pairs(&pairs)
    }

    /// Reads `pairs` as if they were the environment (tests).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Self, SettingsError> {
        Self::from_lookup(|var| pairs.iter().find(|(k, _)| *k == var).map(|(_, v)| (*v).to_owned()))
    }

    /// Reads every setting through `lookup`, reporting all bad values at once.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut env = Env::new(lookup);
        let dev_mode = env.bool("BOTFLEET_DEV_MODE", false);
        let mut generated = Vec::new();
        let http = HttpSettings::load(&mut env);
        let jwt = JwtSettings::load(&mut env, dev_mode, &mut generated);
        let encryption_key = keys::required_secret(
            &mut env,
            "BOTFLEET_ENCRYPTION_KEY",
            dev_mode,
            &mut generated,
            || secret::generate(32),
            check_encryption_key,
        );
        let store = StoreSettings::load(&mut env);
        let store_cache_mb = env.parse("BOTFLEET_STORE_CACHE_MB", 64, "a whole number of MiB, 0 to 65536");
        if store_cache_mb > 65_536 {
            env.error("BOTFLEET_STORE_CACHE_MB", "expected a whole number of MiB, 0 to 65536");
        }
        let log = LogSettings::load(&mut env);
        let payments = PaymentSettings::load(&mut env);
        let environment = Environment::load(&mut env);
        let exchanges = ExchangeSettings::load(&mut env, environment);
        let workflows = WorkflowSettings::load(
            &mut env,
            &[
                ("credential_revalidation", exchanges.revalidate_every),
                ("subscription_reconciliation", payments.reconcile_every),
            ],
        );
        if workflows.clock_speed != 1.0 && environment == Environment::Production {
            env.error("BOTFLEET_CLOCK_SPEED", "must not be set when BOTFLEET_ENVIRONMENT=production");
        }
        if http.metrics_require_token && workflows.ops_token.is_none() {
            env.error("BOTFLEET_METRICS_REQUIRE_TOKEN", "needs BOTFLEET_OPS_TOKEN, the token `/metrics` then asks for");
        }
        let engine = EngineSettings::load(&mut env, environment, exchanges.resilience.place_order_timeout);
        let analysis = AnalysisSettings::load(&mut env);
        let analytics = analytics::load(&mut env);
        let anomaly = anomaly::load(&mut env);
        let legal = LegalSettings::load(&mut env);
        let mail = MailSettings::load(&mut env);
        let stream = stream::load(&mut env);
        let webhooks_allow_private = env.bool("BOTFLEET_WEBHOOKS_ALLOW_PRIVATE", false);
        let channels = ChannelSettings::load(&mut env);
        let llm = assistant::load(&mut env);
        let backoffice_domains = env.list("BOTFLEET_BACKOFFICE_DOMAINS", parse_domain);
        env.finish(Settings {
            http,
            jwt,
            encryption_key,
            store,
            store_cache_mb,
            log,
            payments,
            environment,
            exchanges,
            workflows,
            engine,
            analysis,
            analytics,
            anomaly,
            legal,
            mail,
            stream,
            webhooks_allow_private,
            channels,
            llm,
            backoffice_domains,
            dev_mode,
            generated_secrets: generated,
        })
    }
}

/// The HTTP listener and request handling.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// `BOTFLEET_HTTP_ADDR` (default `127.0.0.1:8080`; port 0 picks a free port).
    pub addr: SocketAddr,
    /// `BOTFLEET_HTTP_WORKERS` (default: the number of cores).
    pub workers: usize,
    /// `BOTFLEET_JSON_LIMIT_BYTES`: the largest accepted JSON body (default 65536).
    pub json_limit_bytes: usize,
    /// `BOTFLEET_SLOW_REQUEST_MS`: requests slower than this are logged at WARN (default 500).
    pub slow_request_threshold: Duration,
    /// `BOTFLEET_CORS_ORIGINS`: origins allowed to call the API from a browser (default none).
    pub cors_origins: Vec<String>,
    /// `BOTFLEET_TRUSTED_PROXIES`: peers whose forwarding headers are believed (default none).
    pub trusted_proxies: TrustedProxies,
    /// `BOTFLEET_METRICS_REQUIRE_TOKEN`: `/metrics` answers only `Authorization: Bearer
    /// <BOTFLEET_OPS_TOKEN>` (default false: open, for a scraper on an internal network).
    pub metrics_require_token: bool,
}

impl HttpSettings {
    fn load(env: &mut Env) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        let default_addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        Self {
            addr: env.parse(
                "BOTFLEET_HTTP_ADDR",
                default_addr,
                "a socket address like `127.0.0.1:8080` or `[::]:8080`",
            ),
            workers: env
                .parse_opt::<NonZeroUsize>("BOTFLEET_HTTP_WORKERS", "a positive integer")
                .map_or(cores, NonZeroUsize::get),
            json_limit_bytes: env
                .parse_opt::<NonZeroUsize>("BOTFLEET_JSON_LIMIT_BYTES", "a positive number of bytes")
                .map_or(65_536, NonZeroUsize::get),
            slow_request_threshold: Duration::from_millis(env.parse(
                "BOTFLEET_SLOW_REQUEST_MS",
                500,
                "a number of milliseconds",
            )),
            cors_origins: env.list("BOTFLEET_CORS_ORIGINS", parse_origin),
            trusted_proxies: TrustedProxies::new(env.list("BOTFLEET_TRUSTED_PROXIES", TrustedProxies::parse_item)),
            metrics_require_token: env.bool("BOTFLEET_METRICS_REQUIRE_TOKEN", false),
        }
    }
}

/// An e-mail domain (`example.com`), lower-cased: letters, digits, `-` and dots, with a dot.
fn parse_domain(item: &str) -> Result<String, String> {
    let domain = item.to_ascii_lowercase();
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty() && !label.starts_with('-') && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if labels_ok && domain.contains('.') {
        Ok(domain)
    } else {
        Err("a domain such as `example.com`".into())
    }
}

/// `scheme://host[:port]`, lower-cased; no path, no wildcard (credentials forbid `*`).
fn parse_origin(item: &str) -> Result<String, String> {
    const EXPECTED: &str = "an origin like `https://app.example.com` or `http://localhost:5173` (no path, no `*`)";
    let lower = item.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '*', '?', '#', ' ']) => Ok(lower),
        _ => Err(EXPECTED.to_owned()),
    }
}

/// Access-token signing.
#[derive(Clone, Debug)]
pub struct JwtSettings {
    /// `BOTFLEET_JWT_SECRET`: at least 32 bytes. Generated in dev mode when unset.
    pub secret: Secret,
    /// `BOTFLEET_JWT_ISSUER` (default `botfleet`).
    pub issuer: String,
    /// `BOTFLEET_JWT_AUDIENCE` (default `botfleet-api`).
    pub audience: String,
}

impl JwtSettings {
    fn load(env: &mut Env, dev_mode: bool, generated: &mut Vec<&'static str>) -> Self {
        let secret = keys::required_secret(
            env,
            "BOTFLEET_JWT_SECRET",
            dev_mode,
            generated,
            || secret::generate(48),
            check_jwt_secret,
        );
        Self {
            secret,
            issuer: env.string("BOTFLEET_JWT_ISSUER", "botfleet"),
            audience: env.string("BOTFLEET_JWT_AUDIENCE", "botfleet-api"),
        }
    }
}

/// Where data lives: MongoDB when `MONGODB_URI` is set, else the embedded store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSettings {
    /// `MONGODB_URI` (a secret: it may hold a password) and `BOTFLEET_MONGODB_DATABASE`.
    Mongo {
        /// The connection string.
        uri: Secret,
        /// The database name (default `botfleet`).
        database: String,
    },
    /// The embedded store in `BOTFLEET_DATA_DIR` (default `./data`).
    Embedded {
        /// The directory holding the data files.
        data_dir: PathBuf,
    },
    /// `BOTFLEET_DATA_DIR=:memory:`: nothing survives a restart.
    InMemory,
}

impl StoreSettings {
    fn load(env: &mut Env) -> Self {
        if let Some(uri) = env.secret("MONGODB_URI") {
            if !uri.expose().starts_with("mongodb://") && !uri.expose().starts_with("mongodb+srv://") {
                env.error("MONGODB_URI", "expected a connection string starting with `mongodb://` or `mongodb+srv://`");
            }
            let database = env.string("BOTFLEET_MONGODB_DATABASE", "botfleet");
            if database.contains(['/', '\\', '.', ' ', '"', '$']) {
                env.error(
                    "BOTFLEET_MONGODB_DATABASE",
                    format!("expected a database name without `/\\. \"$`, got `{database}`"),
                );
            }
            return StoreSettings::Mongo { uri, database };
        }
        match env.string("BOTFLEET_DATA_DIR", "./data").as_str() {
            ":memory:" => StoreSettings::InMemory,
            dir => StoreSettings::Embedded { data_dir: PathBuf::from(dir) },
        }
    }
}

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (local development).
    Pretty,
    /// One JSON object per line (production, log shippers).
    Json,
}

/// Logging.
#[derive(Clone, Debug)]
pub struct LogSettings {
    /// `BOTFLEET_LOG_FORMAT`: `pretty` (default) or `json`.
    pub format: LogFormat,
    /// `BOTFLEET_LOG_LEVEL`: a tracing `EnvFilter` directive (default `info`).
    pub level: String,
}

impl LogSettings {
    fn load(env: &mut Env) -> Self {
        let format = match env.string("BOTFLEET_LOG_FORMAT", "pretty").to_ascii_lowercase().as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                env.error("BOTFLEET_LOG_FORMAT", format!("expected `pretty` or `json`, got `{other}`"));
                LogFormat::Pretty
            }
        };
        let level = env.string("BOTFLEET_LOG_LEVEL", "info");
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&level) {
            env.error(
                "BOTFLEET_LOG_LEVEL",
                format!("expected a tracing filter like `info` or `info,api=debug`, got `{level}` ({err})"),
            );
        }
        Self { format, level }
    }
}
