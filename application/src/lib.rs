//! botfleet's application layer: one use case per module. Plan entitlements, ownership and
//! idempotency are enforced here, never in handlers.

pub mod analysis;
pub mod analytics;
pub mod assistant;
pub mod backoffice;
pub mod bots;
pub mod contexts;
pub mod credentials;
pub mod dashboard;
pub mod engine;
pub mod error;
pub mod exchanges;
pub mod identity;
pub mod legal;
pub mod market;
pub mod notifications;
pub mod notify;
pub mod orders;
pub mod rate_limit;
pub mod reports;
pub mod subscriptions;
pub mod user_cache;
pub mod webhooks;

pub use error::{AppError, FieldCode, FieldError, Unexpected};
