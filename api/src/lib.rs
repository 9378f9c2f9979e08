//! botfleet's HTTP API: actix-web handlers, problem+json errors, middleware, OpenAPI, and the
//! server start-up the `botfleet` binary runs.
//!
//! Entry points: [`bootstrap::run`] (the binary), [`startup::Application`] (tests spawn it on
//! port 0), [`startup::app`] (in-process tests), [`routes`] (how to add a route module).

pub mod assistant;
pub mod auth;
pub mod bootstrap;
pub mod channels;
pub mod cli;
pub mod client_ip;
pub mod commands;
pub mod error;
pub mod exchanges;
pub mod field_value;
pub mod ip_limit;
pub mod metrics;
pub mod middleware;
pub mod openapi;
mod openapi_common;
mod openapi_links;
mod openapi_security;
pub mod path_id;
pub mod platform_metrics;
pub mod query;
pub mod rendered;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod workflows;

pub use client_ip::{ClientIp, UserAgent};
pub use error::{ApiError, Problem};
pub use metrics::Metrics;
pub use middleware::RequestId;
pub use settings::{Secret, Settings};
pub use startup::Application;
pub use state::{AppState, ReadinessCheck};
