//! The backoffice audit trail: one entry per backoffice request, reads included. Entries are
//! appended, never changed; the `operator_audit_expiry` workflow removes those older than a year.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::OperatorRole;
use crate::shared::ids::{AuditId, OperatorId};

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Answered 2xx or 3xx.
    Ok,
    /// Refused before the action: not logged in, wrong CSRF token, no permission, rate limit.
    Denied,
    /// The action was refused or failed (another 4xx, or a 5xx).
    Failed,
}

impl Outcome {
    /// The outcome of an answer with `status`, given whether the guard refused it.
    pub fn of_status(status: u16, denied: bool) -> Self {
        match status {
            _ if denied => Outcome::Denied,
            200..=399 => Outcome::Ok,
            _ => Outcome::Failed,
        }
    }
}

/// One audited backoffice request. Holds no secret: no password, code, cookie or token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorAuditEntry {
    /// Stable id (sortable by time).
    pub id: AuditId,
    /// The operator, when the request was authenticated.
    pub operator_id: Option<OperatorId>,
    /// The operator's e-mail (or the e-mail a login tried).
    pub operator_email: Option<String>,
    /// The operator's role then.
    pub role: Option<OperatorRole>,
    /// What was asked: the route's action name (`users.block`).
    pub action: String,
    /// What it was about (`user:01H...`), when it names something.
    pub target: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// When.
    pub at: OffsetDateTime,
    /// The HTTP status answered.
    pub status: u16,
    /// How it ended.
    pub outcome: Outcome,
}

/// Which audit entries to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperatorAuditFilter {
    /// Only this operator's.
    pub operator_id: Option<OperatorId>,
    /// Only about this target.
    pub target: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// At or after.
    pub from: Option<OffsetDateTime>,
    /// Before.
    pub to: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_the_status_unless_the_guard_refused() {
        assert_eq!(Outcome::of_status(200, false), Outcome::Ok);
        assert_eq!(Outcome::of_status(204, false), Outcome::Ok);
        assert_eq!(Outcome::of_status(404, false), Outcome::Failed);
        assert_eq!(Outcome::of_status(500, false), Outcome::Failed);
        assert_eq!(Outcome::of_status(403, true), Outcome::Denied);
    }
}
