//! `/api/dashboard`: what a user sees first after login, across every context.

pub mod balances;
pub mod health;

use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "dashboard";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The dashboard: balances, health and alerts across every context of the caller.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    balances::configure(cfg);
    health::configure(cfg);
}
