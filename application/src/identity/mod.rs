//! Identity use cases: register, log in, rotate and revoke sessions, profile, password,
//! account deletion, data export, password recovery and e-mail verification. One use case per file, all methods of [`IdentityService`].

mod account_mail;
mod authenticate;
mod delete_account;
mod delete_errors;
mod errors;
mod export_data;
mod login;
mod password;
mod profile;
mod recovery;
mod recovery_errors;
mod refresh;
mod register;
mod teardown;
mod templates;
pub(crate) use templates::escape_html;
mod tokens;
mod verification;

use std::sync::Arc;

use domain::credentials::CredentialRepository;
use domain::identity::{
    AuditAction, AuditEntry, AuditRepository, EmailTokenRepository, PasswordHasher, RequestMeta, SessionRepository,
    TokenIssuer, UserRepository,
};
use domain::shared::ids::{AuditId, UserId};
use domain::subscriptions::SubscriptionRepository;
use domain::Clock;
use time::Duration;

use crate::legal::LegalService;
use crate::rate_limit::RateLimiter;

pub use account_mail::AccountMail;
pub use authenticate::Principal;
pub use delete_account::{AccountTeardown, DeletionReport, DELETION_REASON};
pub use delete_errors::DeleteAccountError;
pub use errors::{AccountError, AuthenticateError, LoginError, RefreshError, RegisterError};
pub use export_data::{DataExport, ExportPorts, EXPORT_PAGE};
pub use login::LoginInput;
pub use password::ChangePasswordInput;
pub use profile::{Profile, UpdateProfileInput};
pub use recovery::ResetPasswordInput;
pub use recovery_errors::{
    EmailGateError, ForgotPasswordError, ResendVerificationError, ResetPasswordError, VerifyEmailError,
};
pub use register::RegisterInput;
pub use teardown::ServiceTeardown;
pub use tokens::TokenPair;
pub use verification::VerifiedEmailGate;

/// The ports identity use cases need.
#[derive(Clone)]
pub struct IdentityPorts {
    /// Users.
    pub users: Arc<dyn UserRepository>,
    /// Refresh-token sessions.
    pub sessions: Arc<dyn SessionRepository>,
    /// Audit log.
    pub audit: Arc<dyn AuditRepository>,
    /// Single-use e-mail tokens (password reset, e-mail verification).
    pub email_tokens: Arc<dyn EmailTokenRepository>,
    /// The account e-mails; `None` when no mail server is configured.
    pub mail: Option<Arc<AccountMail>>,
    /// Subscriptions (a FREE one is created at registration; the plan goes into tokens).
    pub subscriptions: Arc<dyn SubscriptionRepository>,
    /// Credentials (wiped on account deletion, listed in exports).
    pub credentials: Arc<dyn CredentialRepository>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Access tokens.
    pub tokens: Arc<dyn TokenIssuer>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The consent history (registration and profile changes are recorded in it).
    pub legal: Arc<LegalService>,
    /// What account deletion ends outside identity (bots, contexts, the paid plan).
    pub teardown: Arc<dyn AccountTeardown>,
    /// The event log (the user's events are erased with the account).
    pub events: Arc<dyn domain::notifications::EventRepository>,
    /// Notification preferences (erased with the account).
    pub preferences: Arc<dyn domain::notifications::PreferenceRepository>,
    /// E-mail and Telegram deliveries (erased with the account).
    pub deliveries: Arc<dyn domain::notifications::DeliveryRepository>,
    /// The linked Telegram chat and link codes (erased with the account).
    pub telegram: Arc<dyn domain::notifications::TelegramRepository>,
}

impl std::fmt::Debug for IdentityPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityPorts").finish_non_exhaustive()
    }
}

/// Identity settings.
#[derive(Clone, Copy, Debug)]
pub struct IdentityConfig {
    /// Lifetime of a refresh token (default 7 days).
    pub refresh_ttl: Duration,
    /// Failed logins allowed per e-mail within `login_failure_window` (default 5).
    pub login_failures_allowed: u32,
    /// The window for failed logins (default 15 minutes).
    pub login_failure_window: Duration,
    /// Whether new users are mailed a verification link and live trading needs a verified e-mail.
    pub email_verification: bool,
    /// Password-reset e-mails allowed per address within `mail_window` (default 3).
    pub forgot_per_email: u32,
    /// Verification e-mails a user may ask for again within `mail_window` (default 3).
    pub resend_per_user: u32,
    /// The window of the two limits above (default 15 minutes).
    pub mail_window: Duration,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            refresh_ttl: Duration::days(7),
            login_failures_allowed: 5,
            login_failure_window: Duration::minutes(15),
            email_verification: false,
            forgot_per_email: 3,
            resend_per_user: 3,
            mail_window: Duration::minutes(15),
        }
    }
}

/// Accounts and sessions.
#[derive(Debug)]
pub struct IdentityService {
    ports: IdentityPorts,
    config: IdentityConfig,
    login_failures: RateLimiter,
    forgot_limit: RateLimiter,
    resend_limit: RateLimiter,
}

impl IdentityService {
    /// A service over `ports`.
    pub fn new(ports: IdentityPorts, config: IdentityConfig) -> Self {
        let login_failures = RateLimiter::new(config.login_failures_allowed, config.login_failure_window);
        let forgot_limit = RateLimiter::new(config.forgot_per_email, config.mail_window);
        let resend_limit = RateLimiter::new(config.resend_per_user, config.mail_window);
        Self { ports, config, login_failures, forgot_limit, resend_limit }
    }

    /// Appends to the audit log. The action already happened, so a failing audit store is
    /// logged at error level rather than turned into a failed request.
    async fn audit(&self, user_id: Option<UserId>, action: AuditAction, meta: &RequestMeta, detail: Option<String>) {
        let entry = AuditEntry {
            id: AuditId::new(),
            user_id,
            action,
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            detail,
            at: self.ports.clock.now(),
        };
        if let Err(err) = self.ports.audit.append(&entry).await {
            tracing::error!(error = ?err, action = ?action, "audit log append failed");
        }
    }
}
