//! The backoffice: staff ("operators") with their own accounts, sessions, roles and audit trail,
//! kept apart from users. Operators log in with e-mail, password and a TOTP code; what each role
//! may do is the one table in [`permission`].

mod audit;
mod metrics;
mod operator;
pub mod permission;
mod ports;

pub use audit::{OperatorAuditEntry, OperatorAuditFilter, Outcome};
pub use metrics::{LeaseHolder, PaidSubscription, PlatformCounts, PricedCharge};
pub use operator::{email_domain_allowed, Operator, OperatorRole, OperatorSession, RecoveryCodeHash};
pub use permission::Permission;
pub use ports::{
    HitCounter, OperatorAuditRepository, OperatorRepository, OperatorSessionRepository, UserFacetQuery,
    UserFacetRepository,
};
