//! `GET /metrics`: Prometheus scrape endpoint (text format 0.0.4).
//!
//! The operational metrics are open by default, like the health probes, for a scraper on an
//! internal network; with `BOTFLEET_METRICS_REQUIRE_TOKEN=true` the endpoint answers only the ops
//! token (`Authorization: Bearer <BOTFLEET_OPS_TOKEN>`), for deployments where the API port is
//! public. The business gauges (`botfleet_platform_*`: users by plan, MRR, sign-ups) are never
//! open: they are rendered only for a request that carries the ops token, whatever the setting.

use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::state::AppState;

/// The OpenAPI tag of this route.
pub const TAG: &str = "metrics";

/// This module's routes.
pub const MODULE: RouteModule =
    RouteModule { tag: TAG, description: "Prometheus metrics (the ops token when so configured).", configure };

/// `Content-Type` of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

/// The comment that ends a scrape without the ops token.
pub const PLATFORM_LEFT_OUT: &str =
    "# botfleet_platform_* (business figures) left out: scrape with `Authorization: Bearer <BOTFLEET_OPS_TOKEN>`\n";

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(metrics);
}

/// Every registered metric: `http_requests_total` and `http_request_duration_seconds` (labelled
/// `method`, `route` template, `status`), `botfleet_build_info`, whatever other components
/// register, and the platform gauges `botfleet_platform_*` (users by plan and status, MRR by
/// provider and currency, sign-ups, cancellations and orders per day, running bots by kind,
/// workflow health; the store figures computed at most once a minute per instance), these only
/// for a request with the ops token (without it they are left out, and a comment says so). With
/// `BOTFLEET_METRICS_REQUIRE_TOKEN=true` the ops token is required for everything.
#[utoipa::path(
    tag = TAG,
    operation_id = "metrics",
    responses(
        (status = 200, description = "Prometheus text format.", body = String,
            content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "`BOTFLEET_METRICS_REQUIRE_TOKEN` is on and the ops token was not sent \
            (`missing_token`) or is wrong (`invalid_token`).",
            body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The registry could not be encoded.",
            body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let ops = crate::auth::bearer_is_ops_token(&req, &state);
    if state.settings.http.metrics_require_token && !ops {
        let sent = req.headers().contains_key(actix_web::http::header::AUTHORIZATION);
        let (code, detail) = if sent {
            (ErrorCode::InvalidToken, "this is not the ops token")
        } else {
            (ErrorCode::MissingToken, "send `Authorization: Bearer <BOTFLEET_OPS_TOKEN>`")
        };
        return Err(ApiError::new(code, detail));
    }
    let mut text = state.metrics.render().map_err(anyhow::Error::from)?;
    if !ops {
        text.push_str(PLATFORM_LEFT_OUT);
        return Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(text));
    }
    let platform = match state.platform_metrics.current().await {
        Ok(snapshot) => Some(snapshot),
        Err(err) => {
            tracing::warn!(error = %err, "the platform metrics could not be read; botfleet_platform_up is 0");
            None
        }
    };
    let statuses = state.workflows.shared_statuses().await;
    text.push_str(&crate::platform_metrics::render(platform.as_deref(), &statuses).map_err(anyhow::Error::from)?);
    Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(text))
}
