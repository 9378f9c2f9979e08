//! The backoffice's repositories: operators, their sessions, the audit trail, and the hit
//! counters of the store-backed rate limits, and the user facets behind the user-list filters.

mod faceted;
mod facets;
mod facets_build;
mod hits;
mod operator_audit;
mod operator_sessions;
mod operators;
mod platform;

pub use faceted::Faceted;
pub use facets::StoreUserFacets;
pub use hits::StoreHitCounter;
pub use operator_audit::StoreOperatorAuditRepository;
pub use operator_sessions::StoreOperatorSessionRepository;
pub use operators::StoreOperatorRepository;
pub use platform::StorePlatformCounts;
