//! `/api/webhook-endpoints/{id}/deliveries`: an endpoint's delivery log (each attempt's status,
//! latency, response snippet and error) and manual redelivery.

use actix_web::{get, post, web, HttpResponse};
use domain::webhooks::{Attempt, Delivery, DeliveryStatus};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::webhook_endpoints::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::path_id::{PathId, PathIds};
use crate::query::Query;
use crate::routes::common::Paging;
use crate::routes::page::Page;
use crate::routes::wire::{DeliveryKey, Id};
use crate::state::AppState;
use domain::webhooks::{DeliveryId, WebhookEndpointId};

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_webhook_deliveries).service(redeliver_webhook);
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not delivered yet; retried at `next_attempt_at`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up (24 hours of failures, or the endpoint was disabled).
    Dead,
}

impl From<DeliveryStatus> for DeliveryState {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Delivered => Self::Delivered,
            DeliveryStatus::Dead => Self::Dead,
        }
    }
}

/// One POST of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResponse {
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// The endpoint's status code; absent when no answer came.
    pub status: Option<u16>,
    /// Milliseconds to the answer (or the failure).
    pub latency_ms: u64,
    /// The first 512 bytes of the answer's body.
    pub response: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Whether it was a redelivery asked for by hand.
    pub manual: bool,
}

impl From<Attempt> for AttemptResponse {
    fn from(a: Attempt) -> Self {
        Self {
            at: a.at,
            status: a.status,
            latency_ms: a.latency_ms,
            response: a.response,
            error: a.error,
            manual: a.manual,
        }
    }
}

/// One event's delivery to the endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// `<event id>:<endpoint id>`.
    pub id: String,
    /// The event (`Botfleet-Event-Id`: the receiver's idempotency key).
    pub event_id: String,
    /// Its type.
    #[schema(example = "order.filled")]
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryState,
    /// Attempts made in all.
    pub attempt_count: u32,
    /// When the next scheduled attempt is due (pending only).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// The last 100 attempts, oldest first.
    pub attempts: Vec<AttemptResponse>,
    /// The JSON body every attempt sends.
    pub body: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id.to_string(),
            event_type: d.event_type.as_str().to_owned(),
            status: d.status.into(),
            attempt_count: d.attempt_count,
            next_attempt_at: d.next_attempt_at,
            attempts: d.attempts.into_iter().map(AttemptResponse::from).collect(),
            body: d.body,
            created_at: d.created_at,
        }
    }
}

/// An endpoint's deliveries, newest first, each with its attempts.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Endpoint id"), Paging),
    responses((status = 200, description = "A page of deliveries", body = Page<DeliveryResponse>))
)]
#[get("/api/webhook-endpoints/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<WebhookEndpointId>,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = state.webhooks.deliveries(auth.0.user_id, *id, paging.page()?).await?;
    Ok(HttpResponse::Ok().json(Page::<DeliveryResponse>::from(page)))
}

/// Send a delivery again now, whatever its status, signed with the current secret. The attempt
/// is logged as manual; a 2xx marks the delivery delivered, a failure leaves it as it was.
#[utoipa::path(
    tag = TAG,
    params(
        ("id" = Id, Path, description = "Endpoint id"),
        ("delivery_id" = DeliveryKey, Path, description = "Delivery id (`<event id>:<endpoint id>`)"),
    ),
    responses((status = 200, description = "The delivery with the new attempt", body = DeliveryResponse))
)]
#[post("/api/webhook-endpoints/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook(
    state: web::Data<AppState>,
    auth: Authenticated,
    ids: PathIds<WebhookEndpointId, DeliveryId>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = ids.into_inner();
    let delivery = state.webhooks.redeliver(auth.0.user_id, id, delivery_id).await?;
    Ok(HttpResponse::Ok().json(DeliveryResponse::from(delivery)))
}
