//! `/api/credentials`: exchange API keys, stored encrypted and never shown back.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use application::credentials::{secret_field_errors, AddCredentialInput, CredentialView};
use domain::shared::ids::CredentialId;
use domain::shared::secret::Secret;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::field_value::{FieldCheck, Parsed};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{request_meta, validated, Paging};
use crate::routes::page::Page;
use crate::routes::wire::Id;
use crate::routes::wire::{CredentialStatus, Exchange};
use crate::state::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "credentials";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Exchange API credentials, stored encrypted (AES-256-GCM) and never shown back.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_credential)
        .service(list_credentials)
        .service(get_credential)
        .service(delete_credential)
        .service(validate_credential);
}

/// A new exchange credential.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCredentialRequest {
    /// `binance` or `mercado_bitcoin`.
    #[schema(value_type = Exchange, example = "binance")]
    pub exchange: Parsed<domain::exchange::ExchangeId>,
    /// The API key (8 to 256 characters). Only its last 4 characters are ever shown.
    #[validate(length(max = 256))]
    #[schema(min_length = 8, max_length = 256, pattern = r"^[^\s\x00-\x1f\x7f-\x9f]*$")]
    pub api_key: String,
    /// The API secret (8 to 512 characters). Never shown.
    #[validate(length(max = 512))]
    #[schema(min_length = 8, max_length = 512, format = Password, pattern = r"^[^\s\x00-\x1f\x7f-\x9f]*$")]
    pub api_secret: String,
    /// Whether the key is for the exchange's test network (default `false`).
    #[serde(default)]
    pub testnet: bool,
}

/// What is shown of a stored credential.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialResponse {
    /// Credential id.
    pub id: String,
    /// `binance` or `mercado_bitcoin`.
    pub exchange: Exchange,
    /// The last 4 characters of the API key.
    #[schema(example = "x9Qz")]
    pub key_last4: String,
    /// Test-network key.
    pub testnet: bool,
    /// `unverified`, `valid` or `invalid`.
    pub status: CredentialStatus,
    /// Why it is invalid, when known.
    pub status_reason: Option<String>,
    /// When it was last validated.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub validated_at: Option<OffsetDateTime>,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<CredentialView> for CredentialResponse {
    fn from(c: CredentialView) -> Self {
        Self {
            id: c.id.to_string(),
            exchange: c.exchange.into(),
            key_last4: c.key_last4,
            testnet: c.testnet,
            status: c.status.into(),
            status_reason: c.status_reason,
            validated_at: c.validated_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Store an exchange credential, encrypted (AES-256-GCM). One per exchange.
#[utoipa::path(
    tag = TAG,
    request_body = CreateCredentialRequest,
    responses(
        (status = 201, description = "Stored; status `unverified` until validated", body = CredentialResponse),
    )
)]
#[post("/api/credentials")]
pub async fn create_credential(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: TrackedJson<CreateCredentialRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let body = validated(body.into_inner())?;
    let mut check = FieldCheck::default();
    let exchange = check.required("exchange", body.exchange);
    // Named in the same answer as a malformed exchange (the use case checks them again).
    check.extend(secret_field_errors(&body.api_key, &body.api_secret));
    let exchange = check.finish(exchange)?;
    let input = AddCredentialInput {
        exchange,
        api_key: Secret::new(body.api_key),
        api_secret: Secret::new(body.api_secret),
        testnet: body.testnet,
    };
    let view = state.credentials.add(auth.0.user_id, input, &meta).await?;
    Ok(HttpResponse::Created().json(CredentialResponse::from(view)))
}

/// The caller's credentials, oldest first.
#[utoipa::path(
    tag = TAG,
    params(Paging),
    responses(
        (status = 200, description = "A page of credentials", body = Page<CredentialResponse>),
    )
)]
#[get("/api/credentials")]
pub async fn list_credentials(
    state: web::Data<AppState>,
    auth: Authenticated,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = state.credentials.list(auth.0.user_id, paging.page()?).await?;
    Ok(HttpResponse::Ok().json(Page::<CredentialResponse>::from(page)))
}

/// One of the caller's credentials.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Credential id")),
    responses(
        (status = 200, description = "The credential", body = CredentialResponse),
    )
)]
#[get("/api/credentials/{id}")]
pub async fn get_credential(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<CredentialId>,
) -> Result<HttpResponse, ApiError> {
    let view = state.credentials.get(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(CredentialResponse::from(view)))
}

/// Delete one of the caller's credentials.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Credential id")),
    responses(
        (status = 204, description = "Deleted"),
    )
)]
#[delete("/api/credentials/{id}")]
pub async fn delete_credential(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: PathId<CredentialId>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    state.credentials.remove(auth.0.user_id, *id, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Validate one of the caller's credentials with its exchange now: status becomes `valid` or
/// `invalid` with the reason (a key that can withdraw is invalid).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Credential id")),
    responses(
        (status = 200, description = "The credential after validation", body = CredentialResponse),
    )
)]
#[post("/api/credentials/{id}/validate")]
pub async fn validate_credential(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<CredentialId>,
) -> Result<HttpResponse, ApiError> {
    let view = state.credentials.validate(auth.0.user_id, *id).await?;
    Ok(HttpResponse::Ok().json(CredentialResponse::from(view)))
}

crate::opaque_debug!(CreateCredentialRequest);
