//! Identity: users, their consent, login sessions (refresh-token families) and the audit log.

mod audit;
mod email;
mod email_token;
mod language;
mod mail;
mod password;
mod ports;
mod session;
mod time_zone;
mod user;

pub use audit::{AuditAction, AuditEntry, AuditFilter, RequestMeta};
pub use email::{Email, EmailError};
pub use email_token::{EmailToken, EmailTokenError, TokenPurpose};
pub use language::{Language, LanguageError};
pub use mail::{MailError, Mailer, OutgoingMail};
pub use password::{PasswordPolicyError, PlainPassword};
pub use ports::{
    AccessClaims, AuditRepository, EmailTokenRepository, PasswordHasher, SessionRepository, TokenError, TokenIssuer,
    UserRepository,
};
pub use session::RefreshSession;
pub use time_zone::{LocalDay, TimeZoneError, TimeZoneName, DEFAULT_TIME_ZONE};
pub use user::{Consent, DisplayName, DisplayNameError, Role, User, UserFilter, UserSort, UserStatus};
