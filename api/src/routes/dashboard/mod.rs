//! `/api/dashboard`: what a user sees first after login, across every context.

pub mod balances;
pub mod health;
pub mod performance;
pub mod performance_dto;
pub mod report;

use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "dashboard";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The dashboard: balances, health and alerts, performance series with the market comparison, the advanced metrics and the PDF report, across every context of the caller.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    balances::configure(cfg);
    health::configure(cfg);
    performance::configure(cfg);
    report::configure(cfg);
}
