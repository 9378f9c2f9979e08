//! Operator accounts and their server-side sessions.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::credentials::EncryptedValue;
use crate::identity::Email;
use crate::shared::ids::{OperatorId, OperatorSessionId};

/// What an operator may do: see [`super::Permission`] for the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorRole {
    /// Everything, and managing operators.
    SuperAdmin,
    /// Views and administrative actions on users.
    Admin,
    /// Read-only, plus sending a password-reset e-mail.
    Support,
}

impl OperatorRole {
    /// Every role, most powerful first.
    pub const ALL: [OperatorRole; 3] = [OperatorRole::SuperAdmin, OperatorRole::Admin, OperatorRole::Support];

    /// The wire name (`super_admin`, `admin`, `support`).
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorRole::SuperAdmin => "super_admin",
            OperatorRole::Admin => "admin",
            OperatorRole::Support => "support",
        }
    }

    /// The role named `name` (its wire name), if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

/// The SHA-256 (hex) of one unused recovery code. Codes carry 50 random bits, so a fast hash
/// is enough; the code itself is shown once and never stored.
pub type RecoveryCodeHash = String;

/// A member of staff with access to the backoffice. Not a user: a separate collection, login and
/// session, so no user token can ever reach the backoffice.
#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    /// Stable id.
    pub id: OperatorId,
    /// Normalised, unique e-mail address, in one of the configured backoffice domains.
    pub email: Email,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// What the operator may do.
    pub role: OperatorRole,
    /// The TOTP secret, encrypted; `None` before enrolment starts.
    pub totp_secret: Option<EncryptedValue>,
    /// Whether a code of `totp_secret` was confirmed (login needs it).
    pub totp_enrolled: bool,
    /// The last 30-second time step whose code was accepted: a code of that step or an earlier
    /// one is refused, so a code cannot be replayed within its window.
    pub last_totp_step: u64,
    /// Hashes of the recovery codes not used yet.
    pub recovery_codes: Vec<RecoveryCodeHash>,
    /// A disabled operator cannot log in.
    pub active: bool,
    /// When the account was created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version; 0 before the first write.
    pub version: u64,
}

impl Operator {
    /// A new operator, not enrolled in TOTP yet.
    pub fn new(id: OperatorId, email: Email, password_hash: String, role: OperatorRole, at: OffsetDateTime) -> Self {
        Self {
            id,
            email,
            password_hash,
            role,
            totp_secret: None,
            totp_enrolled: false,
            last_totp_step: 0,
            recovery_codes: Vec::new(),
            active: true,
            created_at: at,
            updated_at: at,
            version: 0,
        }
    }

    /// Accepts a TOTP code of time step `step`: only a step later than the last one accepted,
    /// so the same code (or an older one) is refused. Returns whether it was accepted.
    pub fn accept_totp_step(&mut self, step: u64) -> bool {
        if step <= self.last_totp_step {
            return false;
        }
        self.last_totp_step = step;
        true
    }

    /// Spends the recovery code hashing to `hash`; whether it was there (each works once).
    pub fn spend_recovery_code(&mut self, hash: &str) -> bool {
        let before = self.recovery_codes.len();
        self.recovery_codes.retain(|stored| stored != hash);
        self.recovery_codes.len() < before
    }
}

/// Whether `email`'s domain is one of `domains` (compared case-insensitively, exactly: a
/// subdomain of an allowed domain is another domain).
pub fn email_domain_allowed(email: &Email, domains: &[String]) -> bool {
    let Some((_, domain)) = email.as_str().rsplit_once('@') else { return false };
    domains.iter().any(|allowed| allowed.eq_ignore_ascii_case(domain))
}

/// A logged-in operator's server-side session, named by a random cookie value stored only as its
/// SHA-256, with the CSRF token bound to it (also stored hashed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorSession {
    /// Stable id.
    pub id: OperatorSessionId,
    /// Whose session.
    pub operator_id: OperatorId,
    /// SHA-256 (hex) of the cookie's value.
    pub token_hash: String,
    /// SHA-256 (hex) of the CSRF token state-changing requests must send.
    pub csrf_hash: String,
    /// Client IP at login.
    pub ip: Option<String>,
    /// User agent at login.
    pub user_agent: Option<String>,
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// When it ends by itself (8 hours after login).
    pub expires_at: OffsetDateTime,
    /// When it was ended (logout, or an administrator revoking it).
    pub revoked_at: Option<OffsetDateTime>,
}

impl OperatorSession {
    /// How long a session lasts.
    pub const TTL: time::Duration = time::Duration::hours(8);

    /// Whether the session is still usable at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operator() -> Operator {
        let email = Email::parse("ana@staff.example").unwrap();
        Operator::new(OperatorId::new(), email, "phc".into(), OperatorRole::Support, OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn a_totp_step_is_accepted_once_and_never_an_older_one() {
        let mut op = operator();
        assert!(op.accept_totp_step(100));
        assert!(!op.accept_totp_step(100));
        assert!(!op.accept_totp_step(99));
        assert!(op.accept_totp_step(101));
    }

    #[test]
    fn a_recovery_code_works_once() {
        let mut op = operator();
        op.recovery_codes = vec!["a".into(), "b".into()];
        assert!(op.spend_recovery_code("a"));
        assert!(!op.spend_recovery_code("a"));
        assert_eq!(op.recovery_codes, vec!["b".to_owned()]);
    }

    #[test]
    fn only_the_configured_domains_are_allowed() {
        let domains = vec!["staff.example".to_owned()];
        assert!(email_domain_allowed(&Email::parse("ana@staff.example").unwrap(), &domains));
        assert!(email_domain_allowed(&Email::parse("ANA@STAFF.EXAMPLE").unwrap(), &domains));
        assert!(!email_domain_allowed(&Email::parse("ana@evil.example").unwrap(), &domains));
        assert!(!email_domain_allowed(&Email::parse("ana@x.staff.example").unwrap(), &domains));
        assert!(!email_domain_allowed(&Email::parse("ana@staff.example").unwrap(), &[]));
    }

    #[test]
    fn sessions_end_at_expiry_or_revocation() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let mut session = OperatorSession {
            id: OperatorSessionId::new(),
            operator_id: OperatorId::new(),
            token_hash: "t".into(),
            csrf_hash: "c".into(),
            ip: None,
            user_agent: None,
            created_at: at,
            expires_at: at + OperatorSession::TTL,
            revoked_at: None,
        };
        assert!(session.is_live(at + time::Duration::hours(7)));
        assert!(!session.is_live(at + OperatorSession::TTL));
        session.revoked_at = Some(at);
        assert!(!session.is_live(at));
    }

    #[test]
    fn roles_round_trip_their_wire_names() {
        for role in OperatorRole::ALL {
            assert_eq!(OperatorRole::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        assert_eq!(OperatorRole::parse("root"), None);
    }
}
