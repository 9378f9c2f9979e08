//! The request pipeline, outermost first:
//!
//! 0. [`security_headers::security_headers`]: `nosniff`, `no-store`, CSP and no framing on every
//!    answer;
//! 1. [`request_id::request_context`]: `X-Request-Id`, the request's tracing span, the context
//!    problem bodies read, and the problem safety net for bare error responses;
//! 2. CORS (`actix-cors`, only when `BOTFLEET_CORS_ORIGINS` is set; see `startup`);
//! 3. [`observe::observe`]: Prometheus metrics by route template and the slow-request warning;
//! 4. [`catch_panic::catch_panic`]: a handler's panic becomes a 500 problem, never a dropped
//!    connection.
//!
//! All are `actix_web::middleware::from_fn` functions; `startup::app` mounts them.

pub mod catch_panic;
pub mod observe;
pub mod problem_fallback;
pub mod request_id;
pub mod security_headers;

pub use catch_panic::catch_panic;
pub use observe::observe;
pub use request_id::{request_context, RequestId, X_REQUEST_ID};
pub use security_headers::security_headers;
