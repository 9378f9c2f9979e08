//! `/api/users/me`: account deletion and personal-data export (LGPD).

use actix_web::{delete, get, web, HttpRequest, HttpResponse};
use application::identity::UserExport;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::routes::auth::{wire, UserResponse};
use crate::routes::common::{request_meta, validated};
use crate::routes::credentials::CredentialResponse;
use crate::state::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "users";

/// This module's routes.
pub const MODULE: RouteModule =
    RouteModule { tag: TAG, description: "Account deletion and personal-data export (LGPD).", configure };

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(delete_me).service(export_me);
}

/// Confirms account deletion.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    /// The account's current password.
    #[validate(length(max = 128))]
    #[schema(format = Password)]
    pub password: String,
}

/// A login session, without its token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionExport {
    /// Session family (one per login).
    pub family_id: String,
    /// Issued.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Expires.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// When it was exchanged for a new one.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<OffsetDateTime>,
}

/// An audit-log entry about the user.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditExport {
    /// What happened (`login_succeeded`, `credential_added`, …).
    pub action: String,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Non-secret details.
    pub detail: Option<String>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// Everything botfleet stores about the caller, secrets excluded.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserExportResponse {
    /// Account and consent.
    pub user: UserResponse,
    /// Exchange credentials (no keys, no secrets).
    pub credentials: Vec<CredentialResponse>,
    /// Login sessions (no tokens).
    pub sessions: Vec<SessionExport>,
    /// Audit log.
    pub audit: Vec<AuditExport>,
    /// When this export was made.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub exported_at: OffsetDateTime,
}

impl UserExportResponse {
    fn new(export: UserExport, at: OffsetDateTime) -> Self {
        Self {
            user: export.profile.into(),
            credentials: export
                .credentials
                .iter()
                .map(|c| CredentialResponse::from(application::credentials::CredentialView::from(c)))
                .collect(),
            sessions: export
                .sessions
                .into_iter()
                .map(|s| SessionExport {
                    family_id: s.family_id.to_string(),
                    created_at: s.created_at,
                    expires_at: s.expires_at,
                    used_at: s.used_at,
                    revoked_at: s.revoked_at,
                })
                .collect(),
            audit: export
                .audit
                .into_iter()
                .map(|a| AuditExport {
                    action: wire(&a.action),
                    ip: a.ip,
                    user_agent: a.user_agent,
                    detail: a.detail,
                    at: a.at,
                })
                .collect(),
            exported_at: at,
        }
    }
}

/// Delete the caller's account (soft delete): credentials wiped, sessions revoked, login refused.
#[utoipa::path(
    tag = TAG,
    security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses(
        (status = 204, description = "Account deleted"),
        (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password incorrect", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/users/me")]
pub async fn delete_me(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: web::Json<DeleteAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let body = validated(body.into_inner())?;
    state.identity.delete_account(auth.0.user_id, body.password, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Download everything stored about the caller as JSON (no secrets).
#[utoipa::path(
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's data", body = UserExportResponse),
        (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/users/me/export")]
pub async fn export_me(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let export = state.identity.export_data(auth.0.user_id, &meta).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Disposition", "attachment; filename=\"botfleet-export.json\""))
        .json(UserExportResponse::new(export, state.clock.now())))
}

crate::opaque_debug!(DeleteAccountRequest);
