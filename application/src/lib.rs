//! botfleet's application layer: one use case per module. Plan entitlements, ownership and
//! idempotency are enforced here, never in handlers.

pub mod error;

pub use error::{AppError, FieldError};
