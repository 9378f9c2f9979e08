//! `/api/webhook-endpoints`: the user's outbound webhook endpoints (not the payment providers'
//! inbound webhooks, which are `webhooks.rs`). The signing secret is shown once, when an
//! endpoint is created or its secret rotated; deliveries are in `webhook_endpoints_deliveries.rs`.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use application::webhooks::{CreateEndpointInput, EndpointCreated, EndpointView, UpdateEndpointInput};
use domain::webhooks::{EventSelection, WebhookEndpointId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{validated, Paging};
use crate::routes::page::Page;
use crate::routes::wire::Id;
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "webhook-endpoints";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Outbound webhooks: HTTPS endpoints that receive the user's events, signed with \
                  HMAC-SHA256 (`Botfleet-Signature`), retried for 24 hours, with a delivery log.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_webhook_endpoint)
        .service(list_webhook_endpoints)
        .service(get_webhook_endpoint)
        .service(update_webhook_endpoint)
        .service(delete_webhook_endpoint)
        .service(rotate_webhook_secret);
    super::webhook_endpoints_deliveries::configure(cfg);
}

/// The form of an endpoint's URL: `https://`, a host name (an IP literal or a name whose last
/// label is numeric is refused here, though the server reads public IP literals), an optional port,
/// then a path, query or fragment without spaces. Where the host leads is checked by resolving it.
const URL_PATTERN: &str = concat!(
    r"^https://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?",
    r"(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    r"([/?#][A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*)?$",
);

/// The schema of an endpoint's URL: at most 2048 characters of [`URL_PATTERN`].
fn url_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(
            "Where deliveries are POSTed: an `https://` URL whose host resolves to public addresses only \
             (checked when it is set, 422 `not_allowed` or `unresolvable`, and again at each delivery).",
        ))
        .max_length(Some(2048))
        .pattern(Some(URL_PATTERN))
        .examples(["https://example.com/botfleet/webhooks"])
        .build()
}

/// The schema of an event selection: `["*"]` alone (every type, present and future), or 1 to 64
/// event type names.
#[derive(Debug)]
pub struct EventSelectionSchema;

impl utoipa::PartialSchema for EventSelectionSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let every = ArrayBuilder::new()
            .items(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["*"])))
            .min_items(Some(1))
            .max_items(Some(1));
        let listed = ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("EventType"))
            .min_items(Some(1))
            .max_items(Some(64))
            .unique_items(true);
        OneOfBuilder::new()
            .item(every)
            .item(listed)
            .description(Some("`[\"*\"]` alone for every event type, or 1 to 64 event type names."))
            .into()
    }
}

impl utoipa::ToSchema for EventSelectionSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "EventSelection".into()
    }

    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push(("EventType".into(), domain::notifications::EventType::schema()));
    }
}

/// A new endpoint.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointRequest {
    /// Where deliveries are POSTed (see [`url_schema`]).
    #[validate(length(max = 2048))]
    #[schema(schema_with = url_schema)]
    pub url: String,
    /// `["*"]` (the default) for every event type, or event type names (`order.filled`).
    #[validate(length(min = 1, max = 64))]
    #[schema(value_type = Option<EventSelectionSchema>, example = json!(["bot.tripped", "order.filled"]))]
    pub events: Option<Vec<String>>,
    /// A note (at most 200 characters, no control characters).
    #[validate(length(max = 200))]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub description: Option<String>,
}

/// Changes to an endpoint; absent fields stay as they are.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointRequest {
    /// A new URL (same rules as at creation).
    #[validate(length(max = 2048))]
    #[schema(schema_with = url_schema)]
    pub url: Option<String>,
    /// A new event selection.
    #[validate(length(min = 1, max = 64))]
    #[schema(value_type = Option<EventSelectionSchema>)]
    pub events: Option<Vec<String>>,
    /// A new note (same rules); an empty one clears it.
    #[validate(length(max = 200))]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub description: Option<String>,
    /// `false` stops deliveries; `true` resumes them and forgets past failures.
    pub enabled: Option<bool>,
}

/// An endpoint, never with its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointResponse {
    /// Endpoint id.
    #[schema(value_type = Id)]
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// `["*"]` or the event type names it receives.
    pub events: Vec<String>,
    /// The owner's note.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why botfleet disabled it (every delivery failed for 24 hours).
    pub disabled_reason: Option<String>,
    /// Since when every delivery attempt failed.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub failing_since: Option<OffsetDateTime>,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<EndpointView> for EndpointResponse {
    fn from(e: EndpointView) -> Self {
        let events = match e.events {
            EventSelection::All => vec!["*".to_owned()],
            EventSelection::Only(types) => types.iter().map(|t| t.as_str().to_owned()).collect(),
        };
        Self {
            id: e.id.to_string(),
            url: e.url,
            events,
            description: e.description,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// An endpoint with its signing secret: shown this once.
#[derive(Serialize, ToSchema)]
pub struct EndpointWithSecret {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: EndpointResponse,
    /// The signing secret (`whsec_...`): the HMAC-SHA256 key of `Botfleet-Signature`. Store it
    /// now; it is never shown again (rotate it to get a new one).
    #[schema(example = "whsec_4x1mplE...")]
    pub secret: String,
}

impl From<EndpointCreated> for EndpointWithSecret {
    fn from(c: EndpointCreated) -> Self {
        Self { endpoint: c.endpoint.into(), secret: c.secret.expose().to_owned() }
    }
}

crate::opaque_debug!(EndpointWithSecret);

/// Register an endpoint. The answer carries its signing secret, shown this once. At most 10
/// endpoints per account; the URL must lead to public addresses only (422 `not_allowed` on
/// `url` otherwise, checked after DNS resolution).
#[utoipa::path(
    tag = TAG,
    request_body = CreateEndpointRequest,
    responses((status = 201, description = "Registered, with its secret", body = EndpointWithSecret))
)]
#[post("/api/webhook-endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<CreateEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let input = CreateEndpointInput {
        url: body.url,
        events: body.events.unwrap_or_else(|| vec!["*".to_owned()]),
        description: body.description,
    };
    let created = state.webhooks.create(auth.0.user_id, input).await?;
    Ok(HttpResponse::Created().json(EndpointWithSecret::from(created)))
}

/// The caller's endpoints, oldest first.
#[utoipa::path(
    tag = TAG,
    params(Paging),
    responses((status = 200, description = "A page of endpoints", body = Page<EndpointResponse>))
)]
#[get("/api/webhook-endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    auth: Authenticated,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = state.webhooks.list(auth.0.user_id, paging.page()?).await?;
    Ok(HttpResponse::Ok().json(Page::<EndpointResponse>::from(page)))
}

/// One of the caller's endpoints.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Endpoint id")),
    responses((status = 200, description = "The endpoint", body = EndpointResponse))
)]
#[get("/api/webhook-endpoints/{id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    let view = state.webhooks.get(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(EndpointResponse::from(view)))
}

/// Change an endpoint's URL, events, note, or switch it on or off.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Endpoint id")),
    request_body = UpdateEndpointRequest,
    responses((status = 200, description = "The endpoint as changed", body = EndpointResponse))
)]
#[patch("/api/webhook-endpoints/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<WebhookEndpointId>,
    body: TrackedJson<UpdateEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let input = UpdateEndpointInput {
        url: body.url,
        events: body.events,
        description: body.description,
        enabled: body.enabled,
    };
    let view = state.webhooks.update(auth.0.user_id, *id, input).await?;
    Ok(HttpResponse::Ok().json(EndpointResponse::from(view)))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Endpoint id")),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/api/webhook-endpoints/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    state.webhooks.delete(auth.0.user_id, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace an endpoint's signing secret; the answer carries the new one, shown this once.
/// Deliveries are signed with it from now on.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Endpoint id")),
    responses((status = 200, description = "The endpoint with its new secret", body = EndpointWithSecret))
)]
#[post("/api/webhook-endpoints/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<WebhookEndpointId>,
) -> Result<HttpResponse, ApiError> {
    let rotated = state.webhooks.rotate_secret(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(EndpointWithSecret::from(rotated)))
}

crate::opaque_debug!(CreateEndpointRequest);
crate::opaque_debug!(UpdateEndpointRequest);
