//! `GET /metrics`: Prometheus scrape endpoint (text format 0.0.4).
//!
//! Unauthenticated like the health probes: expose it on an internal network or block `/metrics`
//! at the edge proxy.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The OpenAPI tag of this route.
pub const TAG: &str = "metrics";

/// This module's routes.
pub const MODULE: RouteModule =
    RouteModule { tag: TAG, description: "Prometheus metrics (no authentication).", configure };

/// `Content-Type` of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(metrics);
}

/// Every registered metric: `http_requests_total` and `http_request_duration_seconds` (labelled
/// `method`, `route` template, `status`), `botfleet_build_info`, and whatever other components
/// register.
#[utoipa::path(
    tag = TAG,
    operation_id = "metrics",
    responses(
        (status = 200, description = "Prometheus text format.", body = String,
            content_type = "text/plain; version=0.0.4"),
        (status = 500, description = "The registry could not be encoded.",
            body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state.metrics.render().map_err(anyhow::Error::from)?;
    Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(text))
}
