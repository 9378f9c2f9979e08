//! `/api/auth/password/{forgot,reset}` and `/api/auth/email/verify[/resend]`: password recovery
//! and e-mail verification, both through single-use tokens mailed to the user.

use actix_web::{post, web, HttpRequest, HttpResponse};
use application::identity::ResetPasswordInput;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem, TrackedJson};
use crate::routes::common::{request_meta, validated};
use crate::state::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "recovery";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Password recovery and e-mail verification through single-use tokens sent by e-mail.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(forgot_password).service(reset_password).service(verify_email).service(resend_verification);
}

/// Asks for a password-reset e-mail.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// The account's e-mail address.
    #[validate(length(max = 254))]
    #[schema(max_length = 254, format = Email, example = "ana@example.com")]
    pub email: String,
}

/// A new password with the token from the reset e-mail.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the link (`…/reset-password?token=…`).
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub token: String,
    /// The new password: 10 to 128 characters mixing at least two of: lower case, upper case,
    /// digits, symbols (registration's rules).
    #[validate(length(max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: String,
}

/// The token from the verification e-mail.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token from the link (`…/verify-email?token=…`).
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub token: String,
}

/// Ask for a password-reset e-mail. Always 202 with an empty body, whether or not an account has
/// this e-mail; the link in the message works once, for 30 minutes, and supersedes older ones.
/// Limited to 5 per minute per client IP and 3 per e-mail per 15 minutes.
#[utoipa::path(
    tag = TAG,
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "Accepted: if an active account has this e-mail, a reset link was sent to it"),
        (status = 429, description = "Too many requests from this IP or for this e-mail (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/auth/password/forgot")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    state.limit_ip(&state.limits.forgot, &meta)?;
    let body = validated(body.into_inner())?;
    state.identity.forgot_password(&body.email).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from the reset e-mail. The token is consumed, every session
/// of the account ends (refresh tokens revoked, access tokens refused) and the e-mail counts as
/// verified. Limited to 10 per minute per client IP.
#[utoipa::path(
    tag = TAG,
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "Password set; log in with it"),
        (status = 429, description = "Too many requests from this IP (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/auth/password/reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    state.limit_ip(&state.limits.redeem, &meta)?;
    let body = validated(body.into_inner())?;
    state.identity.reset_password(ResetPasswordInput { token: body.token, password: body.password }, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Verify the e-mail address with the token from the verification e-mail (valid 48 hours, once).
/// Limited to 10 per minute per client IP.
#[utoipa::path(
    tag = TAG,
    request_body = VerifyEmailRequest,
    responses(
        (status = 204, description = "E-mail verified"),
        (status = 429, description = "Too many requests from this IP (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/auth/email/verify")]
pub async fn verify_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<VerifyEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    state.limit_ip(&state.limits.redeem, &meta)?;
    let body = validated(body.into_inner())?;
    state.identity.verify_email(&body.token, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send the caller a new verification e-mail (older links stop working). Limited to 3 per
/// account per 15 minutes.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 202, description = "A new verification link is on its way"),
    )
)]
#[post("/api/auth/email/verify/resend")]
pub async fn resend_verification(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    state.identity.resend_verification(auth.0.user_id).await?;
    Ok(HttpResponse::Accepted().finish())
}

crate::opaque_debug!(ForgotPasswordRequest);
crate::opaque_debug!(ResetPasswordRequest);
crate::opaque_debug!(VerifyEmailRequest);
