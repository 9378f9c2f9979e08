//! The backoffice use cases: operator accounts and their login (password and TOTP), sessions
//! with a bound CSRF token, the store-backed login limits, the audit trail, and what operators do
//! to users (look them up, block and unblock, pause a bot).

mod audit;
mod auth;
mod errors;
mod metrics;
mod operators;
mod secrets;
mod totp;
mod user_list;
mod users;

use std::sync::Arc;

use domain::backoffice::{
    HitCounter, OperatorAuditRepository, OperatorRepository, OperatorSessionRepository, UserFacetRepository,
};
use domain::bots::BotRepository;
use domain::credentials::SecretCipher;
use domain::identity::{PasswordHasher, SessionRepository, UserRepository};
use domain::Clock;

pub use audit::AUDIT_RETENTION;
pub use auth::{CreatedOperator, Enrolment, LoggedIn, LoginInput, Staff};
pub use errors::BackofficeError;
pub use metrics::{
    provider_name, DayFigures, Mrr, PlatformMetrics, PlatformMetricsService, METRICS_DAYS, METRICS_TTL,
    SUBSCRIPTION_STATUSES, USER_STATUSES,
};
pub use user_list::UserListQuery;
pub use users::{BlockReport, UserDetail, UserSort, BLOCKED_REASON};

/// What the backoffice reads and writes.
#[derive(Clone)]
pub struct BackofficePorts {
    /// Operator accounts.
    pub operators: Arc<dyn OperatorRepository>,
    /// Operator sessions.
    pub sessions: Arc<dyn OperatorSessionRepository>,
    /// The backoffice audit trail.
    pub audit: Arc<dyn OperatorAuditRepository>,
    /// Store-backed request counters (rate limits shared by every instance).
    pub hits: Arc<dyn HitCounter>,
    /// Users (looked up, blocked, unblocked).
    pub users: Arc<dyn UserRepository>,
    /// Users' refresh sessions (revoked when a user is blocked).
    pub user_sessions: Arc<dyn SessionRepository>,
    /// Users' bots (paused when a user is blocked).
    pub bots: Arc<dyn BotRepository>,
    /// Which users have what plan, running bots, live or paper contexts (the list's filters).
    pub facets: Arc<dyn UserFacetRepository>,
    /// Password hashing (argon2id, as users').
    pub hasher: Arc<dyn PasswordHasher>,
    /// Encrypts the TOTP secrets at rest.
    pub cipher: Arc<dyn SecretCipher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// The backoffice's settings.
#[derive(Clone, Debug, Default)]
pub struct BackofficeConfig {
    /// `BOTFLEET_BACKOFFICE_DOMAINS`: the e-mail domains operators may have (none: nobody).
    pub domains: Vec<String>,
}

/// The backoffice service.
#[derive(Clone)]
pub struct Backoffice {
    ports: BackofficePorts,
    config: BackofficeConfig,
}

impl std::fmt::Debug for BackofficePorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackofficePorts").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Backoffice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backoffice").field("domains", &self.config.domains).finish_non_exhaustive()
    }
}

impl Backoffice {
    /// The service over `ports`.
    pub fn new(ports: BackofficePorts, config: BackofficeConfig) -> Self {
        Self { ports, config }
    }

    /// The configured operator e-mail domains.
    pub fn domains(&self) -> &[String] {
        &self.config.domains
    }
}
