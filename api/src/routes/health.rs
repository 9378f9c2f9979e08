//! `GET /health/live` and `GET /health/ready`: probes for orchestrators and load balancers.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "health";

/// How long `/health/ready` waits for the readiness check before answering 503.
pub const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// This module's routes.
pub const MODULE: RouteModule =
    RouteModule { tag: TAG, description: "Liveness and readiness probes (no authentication).", configure };

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(live).service(ready);
}

/// A probe's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthStatus {
    /// `alive` or `ready`.
    #[schema(example = "ready")]
    pub status: String,
}

/// Liveness: 200 whenever the process serves HTTP. Restart the process if this fails.
#[utoipa::path(
    tag = TAG,
    operation_id = "health_live",
    responses((status = 200, description = "The process is serving.", body = HealthStatus))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "alive".into() })
}

/// Readiness: 200 when the data store answers, else 503. Send traffic only while this passes.
#[utoipa::path(
    tag = TAG,
    operation_id = "health_ready",
    responses(
        (status = 200, description = "Ready to serve traffic.", body = HealthStatus),
        (status = 503, description = "A dependency (the store) is not ready; code `not_ready`.",
            body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let outcome = tokio::time::timeout(READY_TIMEOUT, state.readiness.check()).await;
    let failure = match outcome {
        Ok(Ok(())) => return Ok(HttpResponse::Ok().json(HealthStatus { status: "ready".into() })),
        Ok(Err(err)) => format!("{err:#}"),
        Err(_) => format!("no answer within {} s", READY_TIMEOUT.as_secs()),
    };
    tracing::warn!(error = %failure, "readiness check failed");
    Err(ApiError::new(ErrorCode::NotReady, "a dependency is not ready; retry shortly"))
}
