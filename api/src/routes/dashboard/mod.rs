//! `/api/dashboard`: what a user sees first after login, across every context (docs/dashboard.md).

pub mod balances;
pub mod health;
pub mod performance;
pub mod performance_dto;
pub mod report;
pub mod summary;

use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "dashboard";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The dashboard: summary figures per quote currency, per strategy and per context; balances, health and alerts; performance series with the market comparison, the advanced metrics, and the PDF report.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(summary::dashboard_summary);
    balances::configure(cfg);
    health::configure(cfg);
    performance::configure(cfg);
    report::configure(cfg);
}
