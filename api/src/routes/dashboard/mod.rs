//! `/api/dashboard`: what a user sees first after login (performance series, advanced metrics).

pub mod performance;
pub mod performance_dto;

use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "dashboard";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The dashboard: performance series with the market comparison, and the advanced metrics.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    performance::configure(cfg);
}
