//! Identity: users, their consent, login sessions (refresh-token families) and the audit log.

mod audit;
mod email;
mod password;
mod ports;
mod session;
mod user;

pub use audit::{AuditAction, AuditEntry, AuditFilter, RequestMeta};
pub use email::{Email, EmailError};
pub use password::{PasswordPolicyError, PlainPassword};
pub use ports::{
    AccessClaims, AuditRepository, PasswordHasher, SessionRepository, TokenError, TokenIssuer, UserRepository,
};
pub use session::RefreshSession;
pub use user::{Consent, DisplayName, DisplayNameError, Role, User, UserFilter, UserStatus};
