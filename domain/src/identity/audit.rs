//! The audit log of sensitive actions. Entries never contain a secret.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::shared::ids::{AuditId, UserId};

/// One sensitive action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Id, sortable by time.
    pub id: AuditId,
    /// Who (absent for a failed login with an unknown e-mail).
    pub user_id: Option<UserId>,
    /// What.
    pub action: AuditAction,
    /// Client IP, when known.
    pub ip: Option<String>,
    /// Client user agent, when known.
    pub user_agent: Option<String>,
    /// Non-secret details (e.g. the exchange of a credential).
    pub detail: Option<String>,
    /// When.
    pub at: OffsetDateTime,
}

/// The sensitive actions we record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Account created.
    Register,
    /// Successful login.
    LoginSucceeded,
    /// Failed login (wrong password, unknown e-mail, blocked account).
    LoginFailed,
    /// A spent refresh token was presented again; its family was revoked.
    RefreshReuseDetected,
    /// Logout.
    Logout,
    /// Password changed.
    PasswordChanged,
    /// Password set with a reset token from an e-mail.
    PasswordReset,
    /// E-mail address verified with the token from an e-mail.
    EmailVerified,
    /// Profile or consent changed.
    ProfileUpdated,
    /// Exchange credential stored.
    CredentialAdded,
    /// Exchange credential removed.
    CredentialRemoved,
    /// Account soft-deleted.
    AccountDeleted,
    /// Personal data exported.
    DataExported,
}

/// Who asked, from where: passed from the HTTP layer into use cases for consent and audit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// Client IP (already resolved through trusted proxies).
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
}

/// Filters for listing audit entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<AuditAction>,
}
