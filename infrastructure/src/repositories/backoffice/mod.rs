//! The backoffice's repositories: operators, their sessions, the audit trail, and the hit
//! counters of the store-backed rate limits.

mod hits;
mod operator_audit;
mod operator_sessions;
mod operators;

pub use hits::StoreHitCounter;
pub use operator_audit::StoreOperatorAuditRepository;
pub use operator_sessions::StoreOperatorSessionRepository;
pub use operators::StoreOperatorRepository;
