//! `/api/dashboard`: what a user sees first after login (docs/dashboard.md).

pub mod summary;

use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "dashboard";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "The caller's consolidated view: summary figures per quote currency, per strategy and per context.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(summary::dashboard_summary);
}
