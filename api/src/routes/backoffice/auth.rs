//! `/backoffice/api/auth`: TOTP enrolment, login (e-mail, password, code) into a cookie
//! session with a CSRF token, the session's operator, logout.

use actix_web::http::header;
use actix_web::{get, post, web, HttpMessage as _, HttpRequest, HttpResponse};
use application::backoffice::{LoggedIn, LoginInput};
use domain::identity::RequestMeta;
use domain::shared::secret::Secret;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{AuditSubject, BackofficeStaff, SESSION_COOKIE, TAG};
use crate::error::{ApiError, Problem, TrackedJson};
use crate::routes::common::{request_meta, validated};
use crate::routes::wire::OperatorRole;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_enroll).service(bo_confirm_enrollment).service(bo_login).service(bo_me).service(bo_logout);
}

/// E-mail and password of an operator enrolling.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The operator's e-mail (in one of the backoffice domains).
    #[validate(length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    /// The operator's password.
    #[validate(length(max = 128))]
    #[schema(max_length = 128, format = Password)]
    pub password: String,
}

/// Login form (also confirms an enrolment).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackofficeLoginRequest {
    /// The operator's e-mail (in one of the backoffice domains).
    #[validate(length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    /// The operator's password.
    #[validate(length(max = 128))]
    #[schema(max_length = 128, format = Password)]
    pub password: String,
    /// The authenticator's 6-digit code, or an unused recovery code (`XXXXX-XXXXX`).
    #[validate(length(min = 6, max = 16))]
    #[schema(min_length = 6, max_length = 16, example = "123456")]
    pub code: String,
}

/// A started enrolment: scan the QR code (or enter the URI) in an authenticator app, then
/// confirm with a code. Shown once.
#[derive(Serialize, ToSchema)]
pub struct EnrollResponse {
    /// `otpauth://totp/...` holding the new secret.
    pub otpauth_uri: String,
    /// The same URI as a QR code, an SVG document.
    pub qr_svg: String,
}

/// The recovery codes of a confirmed enrolment, each usable once instead of a TOTP code. Shown
/// once; only their hashes are kept.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    /// Ten codes, `XXXXX-XXXXX`.
    pub recovery_codes: Vec<String>,
}

/// An operator as the backoffice shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorResponse {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: OperatorRole,
}

/// A backoffice session.
#[derive(Serialize, ToSchema)]
pub struct BackofficeSessionResponse {
    /// Who is logged in.
    pub operator: OperatorResponse,
    /// The token state-changing requests send in `X-CSRF-Token` (only in the login answer: it
    /// is stored hashed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// When the session ends by itself (8 hours after login).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

fn operator_response(operator: &domain::backoffice::Operator) -> OperatorResponse {
    OperatorResponse {
        id: operator.id.to_string(),
        email: operator.email.as_str().to_owned(),
        role: operator.role.into(),
    }
}

fn session_cookie(value: &str, max_age_secs: i64) -> String {
    format!("{SESSION_COOKIE}={value}; Path=/backoffice; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Strict")
}

fn subject(req: &HttpRequest, email: &str) {
    req.extensions_mut().insert(AuditSubject { operator: None, email: Some(email.chars().take(254).collect()) });
}

/// The validated form as the use case takes it, the audit's subject set, and the request's meta.
fn login_form(
    state: &AppState,
    req: &HttpRequest,
    body: TrackedJson<BackofficeLoginRequest>,
) -> Result<(LoginInput, RequestMeta), ApiError> {
    let body = validated(body.into_inner())?;
    subject(req, &body.email);
    let input = LoginInput { email: body.email, password: Secret::new(body.password), code: Secret::new(body.code) };
    Ok((input, request_meta(req, state)))
}

fn qr_svg(uri: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| ApiError::internal(anyhow::anyhow!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build())
}

/// Start enrolling a TOTP authenticator (an operator not enrolled yet): answers the
/// `otpauth://` URI and its QR code. Counts against the login limits (5 per 15 minutes per IP
/// and per e-mail).
#[utoipa::path(
    tag = TAG,
    request_body = EnrollRequest,
    responses(
        (status = 200, description = "The secret to scan", body = EnrollResponse),
        (status = 401, description = "Wrong e-mail or password", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/api/auth/totp/enroll")]
pub async fn bo_enroll(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<EnrollRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = validated(body.into_inner())?;
    subject(&req, &body.email);
    let meta = request_meta(&req, &state);
    let enrolment = state.backoffice.start_enrolment(&body.email, &Secret::new(body.password), &meta).await?;
    let uri = enrolment.otpauth_uri.expose();
    Ok(HttpResponse::Ok().json(EnrollResponse { otpauth_uri: uri.to_owned(), qr_svg: qr_svg(uri)? }))
}

/// Confirm the enrolment with a code of the new secret: answers ten recovery codes, shown once.
#[utoipa::path(
    tag = TAG,
    request_body = BackofficeLoginRequest,
    responses(
        (status = 200, description = "Enrolled", body = RecoveryCodesResponse),
        (status = 401, description = "Wrong e-mail, password or code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/api/auth/totp/confirm")]
pub async fn bo_confirm_enrollment(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<BackofficeLoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let (input, meta) = login_form(&state, &req, body)?;
    let codes = state.backoffice.confirm_enrolment(input, &meta).await?;
    let recovery_codes = codes.iter().map(|c| c.expose().to_owned()).collect();
    Ok(HttpResponse::Ok().json(RecoveryCodesResponse { recovery_codes }))
}

/// Log in with e-mail, password and a TOTP (or recovery) code. Sets the session cookie
/// (`HttpOnly; Secure; SameSite=Strict`, path `/backoffice`, 8 hours) and answers the CSRF token
/// state-changing requests must send. A wrong e-mail, password or code, and a code already used,
/// all answer 401 `invalid_credentials`. Limited to 5 per 15 minutes per IP and per e-mail.
#[utoipa::path(
    tag = TAG,
    request_body = BackofficeLoginRequest,
    responses(
        (status = 200, description = "Logged in; the cookie is set", body = BackofficeSessionResponse),
        (status = 401, description = "Wrong e-mail, password or code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/api/auth/login")]
pub async fn bo_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<BackofficeLoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let (input, meta) = login_form(&state, &req, body)?;
    let LoggedIn { operator, session, session_token, csrf_token } = state.backoffice.login(input, &meta).await?;
    req.extensions_mut().insert(AuditSubject {
        operator: Some((operator.id, operator.role)),
        email: Some(operator.email.as_str().to_owned()),
    });
    let max_age = (session.expires_at - session.created_at).whole_seconds();
    Ok(HttpResponse::Ok().insert_header((header::SET_COOKIE, session_cookie(session_token.expose(), max_age))).json(
        BackofficeSessionResponse {
            operator: operator_response(&operator),
            csrf_token: Some(csrf_token.expose().to_owned()),
            expires_at: session.expires_at,
        },
    ))
}

/// The logged-in operator and when the session ends.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "The session", body = BackofficeSessionResponse))
)]
#[get("/backoffice/api/auth/me")]
pub async fn bo_me(staff: BackofficeStaff) -> Result<HttpResponse, ApiError> {
    let BackofficeStaff(staff) = staff;
    Ok(HttpResponse::Ok().json(BackofficeSessionResponse {
        operator: operator_response(&staff.operator),
        csrf_token: None,
        expires_at: staff.session.expires_at,
    }))
}

/// End the session (it is revoked in the store; the cookie is cleared).
#[utoipa::path(
    tag = TAG,
    responses((status = 204, description = "Logged out"))
)]
#[post("/backoffice/api/auth/logout")]
pub async fn bo_logout(state: web::Data<AppState>, staff: BackofficeStaff) -> Result<HttpResponse, ApiError> {
    state.backoffice.logout(&staff.0).await?;
    Ok(HttpResponse::NoContent().insert_header((header::SET_COOKIE, session_cookie("", 0))).finish())
}

crate::opaque_debug!(EnrollRequest);
crate::opaque_debug!(BackofficeLoginRequest);
crate::opaque_debug!(EnrollResponse);
crate::opaque_debug!(RecoveryCodesResponse);
crate::opaque_debug!(BackofficeSessionResponse);
