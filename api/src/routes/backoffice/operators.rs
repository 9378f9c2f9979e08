//! `/backoffice/api/operators` (SUPER_ADMIN): list operators, create one (a password generated
//! and shown once, as the CLI does), change a role, disable one (their sessions end at once) and
//! reset their TOTP (they enrol again). Nobody changes or disables themselves (403 `forbidden`).

use actix_web::{get, post, web, HttpResponse};
use domain::backoffice::Operator;
use domain::shared::ids::OperatorId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{BackofficeStaff, TAG};
use crate::error::{ApiError, TrackedJson};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{page_of, validated};
use crate::routes::page::Page;
use crate::routes::wire::{Id, OperatorRole};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_list_operators)
        .service(bo_create_operator)
        .service(bo_change_operator_role)
        .service(bo_disable_operator)
        .service(bo_reset_operator_totp);
}

/// An operator as SUPER_ADMIN manages it (no password hash, TOTP secret or recovery code).
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagedOperator {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: OperatorRole,
    /// Whether they may log in.
    pub active: bool,
    /// Whether a TOTP authenticator is enrolled.
    pub totp_enrolled: bool,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<Operator> for ManagedOperator {
    fn from(o: Operator) -> Self {
        Self {
            id: o.id.to_string(),
            email: o.email.as_str().to_owned(),
            role: o.role.into(),
            active: o.active,
            totp_enrolled: o.totp_enrolled,
            created_at: o.created_at,
        }
    }
}

/// A new operator.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOperatorRequest {
    /// The e-mail, in one of `BOTFLEET_BACKOFFICE_DOMAINS`.
    #[validate(length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    /// The role.
    #[schema(value_type = OperatorRole)]
    pub role: domain::backoffice::OperatorRole,
}

/// The created operator and their generated password, shown once: hand it over out of band.
#[derive(Serialize, ToSchema)]
pub struct CreatedOperatorResponse {
    /// The operator (they enrol TOTP at their first login).
    pub operator: ManagedOperator,
    /// The generated password (24 characters), shown only here.
    pub password: String,
}

crate::opaque_debug!(CreatedOperatorResponse);

/// A new role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorRoleRequest {
    /// The role.
    #[schema(value_type = OperatorRole)]
    pub role: domain::backoffice::OperatorRole,
}

/// The operator list's paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorListParams {
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Every operator, by e-mail (SUPER_ADMIN).
#[utoipa::path(
    tag = TAG,
    params(OperatorListParams),
    responses((status = 200, description = "A page of operators", body = Page<ManagedOperator>))
)]
#[get("/backoffice/api/operators")]
pub async fn bo_list_operators(
    state: web::Data<AppState>,
    params: Query<OperatorListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_of(params.offset, params.limit)?;
    let operators = state.backoffice.list_operators(page).await?;
    Ok(HttpResponse::Ok().json(Page::<ManagedOperator>::from(operators)))
}

/// Create an operator (SUPER_ADMIN): the e-mail must be in the backoffice domains (422 naming
/// `email`); a password is generated and answered once.
#[utoipa::path(
    tag = TAG,
    request_body = CreateOperatorRequest,
    responses((status = 201, description = "Created", body = CreatedOperatorResponse))
)]
#[post("/backoffice/api/operators")]
pub async fn bo_create_operator(
    state: web::Data<AppState>,
    body: TrackedJson<CreateOperatorRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    let created = state.backoffice.create_operator(&body.email, None, body.role).await?;
    let password = created.generated_password.map(|p| p.expose().to_owned()).unwrap_or_default();
    Ok(HttpResponse::Created().json(CreatedOperatorResponse { operator: created.operator.into(), password }))
}

/// Change an operator's role (SUPER_ADMIN; not one's own).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The operator")),
    request_body = OperatorRoleRequest,
    responses((status = 200, description = "Changed", body = ManagedOperator))
)]
#[post("/backoffice/api/operators/{id}/role")]
pub async fn bo_change_operator_role(
    state: web::Data<AppState>,
    staff: BackofficeStaff,
    id: PathId<OperatorId>,
    body: TrackedJson<OperatorRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let role = body.into_inner().role;
    let operator = state.backoffice.change_operator_role(&staff.0, *id, role).await?;
    Ok(HttpResponse::Ok().json(ManagedOperator::from(operator)))
}

/// Disable an operator (SUPER_ADMIN; not oneself): login refused, every session ended at once.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The operator")),
    responses((status = 200, description = "Disabled", body = ManagedOperator))
)]
#[post("/backoffice/api/operators/{id}/disable")]
pub async fn bo_disable_operator(
    state: web::Data<AppState>,
    staff: BackofficeStaff,
    id: PathId<OperatorId>,
) -> Result<HttpResponse, ApiError> {
    let operator = state.backoffice.disable_operator(&staff.0, *id).await?;
    Ok(HttpResponse::Ok().json(ManagedOperator::from(operator)))
}

/// Reset an operator's TOTP (SUPER_ADMIN; not oneself): authenticator and recovery codes
/// forgotten, sessions ended; their next login answers `totp_enrolment_required`.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The operator")),
    responses((status = 200, description = "Reset", body = ManagedOperator))
)]
#[post("/backoffice/api/operators/{id}/totp-reset")]
pub async fn bo_reset_operator_totp(
    state: web::Data<AppState>,
    staff: BackofficeStaff,
    id: PathId<OperatorId>,
) -> Result<HttpResponse, ApiError> {
    let operator = state.backoffice.reset_operator_totp(&staff.0, *id).await?;
    Ok(HttpResponse::Ok().json(ManagedOperator::from(operator)))
}
