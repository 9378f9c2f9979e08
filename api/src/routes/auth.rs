//! `/api/auth`: registration, login, token refresh and logout, the caller's profile and password.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use application::identity::{ChangePasswordInput, LoginInput, Profile, RegisterInput, TokenPair, UpdateProfileInput};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem, TrackedJson};
use crate::routes::common::{request_meta, validated};
use crate::routes::wire::{Accepted, Language, Plan, SubscriptionStatus, UserRole, UserStatus};
use crate::state::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "auth";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Registration, login, token refresh and logout, the caller's profile and password.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(register)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(update_me)
        .service(change_password);
}

/// Sign-up form.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// E-mail address; normalised to lower case.
    #[validate(length(max = 254))]
    #[schema(max_length = 254, format = Email, example = "ana@example.com")]
    pub email: String,
    /// 10 to 128 characters mixing at least two of: lower case, upper case, digits, symbols.
    #[validate(length(max = 128))]
    #[schema(min_length = 10, max_length = 128, example = "correct horse 42", format = Password)]
    pub password: String,
    /// Display name, 1 to 100 characters (not only spaces).
    #[validate(length(max = 100))]
    #[schema(max_length = 100, pattern = r"\S", example = "Ana")]
    pub name: String,
    /// Must be `true`: the terms of use are accepted.
    #[schema(value_type = Accepted)]
    pub accept_terms: bool,
    /// Must be `true`: the privacy policy is accepted.
    #[schema(value_type = Accepted)]
    pub accept_privacy: bool,
    /// Marketing messages allowed (default `false`).
    #[serde(default)]
    pub accept_marketing: Option<bool>,
    /// The language of the e-mails botfleet sends and of the assistant's answers: `pt-BR`
    /// (default) or `en`.
    #[validate(length(max = 16))]
    #[schema(value_type = Option<Language>)]
    pub language: Option<String>,
    /// The user's IANA time zone (default `America/Sao_Paulo`): their day, over which the
    /// assistant's daily quota counts, is its local day.
    #[validate(length(max = 64))]
    #[schema(value_type = Option<crate::routes::wire::TimeZone>)]
    pub time_zone: Option<String>,
}

/// Login form.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail address.
    #[validate(length(max = 254))]
    #[schema(max_length = 254)]
    pub email: String,
    /// Password.
    #[validate(length(max = 128))]
    #[schema(max_length = 128, format = Password)]
    pub password: String,
}

/// A refresh token, for `/refresh` and `/logout`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The opaque refresh token from login or the last refresh.
    #[validate(length(min = 1, max = 512))]
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: String,
}

/// Profile changes; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// New display name, 1 to 100 characters (not only spaces).
    #[validate(length(max = 100))]
    #[schema(max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// New marketing consent.
    pub accept_marketing: Option<bool>,
    /// The language of the e-mails botfleet sends: `pt-BR` or `en`.
    #[validate(length(max = 16))]
    #[schema(value_type = Option<Language>)]
    pub language: Option<String>,
    /// The user's IANA time zone (`America/Sao_Paulo`, `Europe/Lisbon`): their day, over which the
    /// assistant's daily quota counts, is its local day.
    #[validate(length(max = 64))]
    #[schema(value_type = Option<crate::routes::wire::TimeZone>)]
    pub time_zone: Option<String>,
}

/// Password change form.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now.
    #[validate(length(max = 128))]
    #[schema(max_length = 128, format = Password)]
    pub current_password: String,
    /// The new password (same policy as registration).
    #[validate(length(max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub new_password: String,
}

/// Tokens issued by login, refresh and password change.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT (HS256) access token, valid `expires_in` seconds.
    pub access_token: String,
    /// Opaque refresh token, valid 7 days and exactly once.
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

impl From<TokenPair> for TokenResponse {
    fn from(p: TokenPair) -> Self {
        Self {
            access_token: p.access_token,
            refresh_token: p.refresh_token,
            token_type: p.token_type.into(),
            expires_in: p.expires_in,
        }
    }
}

/// The consent record (LGPD).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentResponse {
    /// Terms of use accepted.
    pub terms: bool,
    /// Privacy policy accepted.
    pub privacy: bool,
    /// Marketing allowed.
    pub marketing: bool,
    /// When the flags were last set.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// A user's own account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// User id (ULID).
    #[schema(value_type = String, example = "01JD0000000000000000000000")]
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `user` or `admin`.
    pub role: UserRole,
    /// `active`, `blocked` or `deleted`.
    pub status: UserStatus,
    /// `FREE`, `PRO` or `MAX`.
    pub plan: Plan,
    /// Billing state of the plan (`active`, `past_due`, …).
    pub subscription_status: SubscriptionStatus,
    /// Consent record.
    pub consent: ConsentResponse,
    /// The language of the e-mails botfleet sends: `pt-BR` (default) or `en`.
    pub language: Language,
    /// The user's IANA time zone (default `America/Sao_Paulo`): their day is its local day.
    #[schema(value_type = crate::routes::wire::TimeZone)]
    pub time_zone: String,
    /// Whether the e-mail address is verified; live trading needs it where verification is on.
    pub email_verified: bool,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Profile> for UserResponse {
    fn from(p: Profile) -> Self {
        Self {
            id: p.id.to_string(),
            email: p.email,
            name: p.name,
            role: p.role.into(),
            status: p.status.into(),
            plan: p.plan.into(),
            subscription_status: p.subscription_status.into(),
            consent: ConsentResponse {
                terms: p.consent.terms,
                privacy: p.consent.privacy,
                marketing: p.consent.marketing,
                at: p.consent.at,
            },
            language: p.language.into(),
            time_zone: p.time_zone.into(),
            email_verified: p.email_verified,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Create an account. Limited to 3 per minute per client IP.
#[utoipa::path(
    tag = TAG,
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created, on the FREE plan", body = UserResponse),
        (status = 429, description = "Too many registrations from this IP (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    state.limit_ip(&state.limits.register, &meta)?;
    let body = validated(body.into_inner())?;
    let input = RegisterInput {
        email: body.email,
        password: body.password,
        name: body.name,
        accept_terms: body.accept_terms,
        accept_privacy: body.accept_privacy,
        accept_marketing: body.accept_marketing.unwrap_or(false),
        language: body.language,
        time_zone: body.time_zone,
    };
    let profile = state.identity.register(input, &meta).await?;
    Ok(HttpResponse::Created().json(UserResponse::from(profile)))
}

/// Log in with e-mail and password. Limited to 5 per minute per client IP and 5 failures per
/// e-mail per 15 minutes.
#[utoipa::path(
    tag = TAG,
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 429, description = "Too many attempts (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    state.limit_ip(&state.limits.login, &meta)?;
    let body = validated(body.into_inner())?;
    let pair = state.identity.login(LoginInput { email: body.email, password: body.password }, &meta).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(pair)))
}

/// Exchange a refresh token for a new pair. Each refresh token works once; presenting a used
/// one revokes every session of that login (`refresh_reused`). Limited to 30 per minute per IP.
#[utoipa::path(
    tag = TAG,
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenResponse),
        (status = 429, description = "Too many refreshes (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    state.limit_ip(&state.limits.refresh, &meta)?;
    let body = validated(body.into_inner())?;
    let pair = state.identity.refresh(&body.refresh_token, &meta).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(pair)))
}

/// Log out: revokes the refresh token's whole session family. Idempotent.
#[utoipa::path(
    tag = TAG,
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out"))
)]
#[post("/api/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: TrackedJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let body = validated(body.into_inner())?;
    state.identity.logout(&body.refresh_token, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "The caller's account", body = UserResponse),
    )
)]
#[get("/api/auth/me")]
pub async fn me(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let profile = state.identity.profile(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(profile)))
}

/// Change the caller's name, e-mail language, time zone or marketing consent.
#[utoipa::path(
    tag = TAG,
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "Updated account", body = UserResponse),
    )
)]
#[put("/api/auth/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: TrackedJson<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let body = validated(body.into_inner())?;
    let input = UpdateProfileInput {
        name: body.name,
        accept_marketing: body.accept_marketing,
        language: body.language,
        time_zone: body.time_zone,
    };
    let profile = state.identity.update_profile(auth.0.user_id, input, &meta).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(profile)))
}

/// Change the password. Every other session ends at once (refresh tokens revoked, older access
/// tokens refused); the answer carries a fresh pair for this client.
#[utoipa::path(
    tag = TAG,
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Password changed; new tokens", body = TokenResponse),
    )
)]
#[put("/api/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: TrackedJson<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let body = validated(body.into_inner())?;
    let input = ChangePasswordInput { current_password: body.current_password, new_password: body.new_password };
    let pair = state.identity.change_password(auth.0.user_id, input, &meta).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(pair)))
}

crate::opaque_debug!(RegisterRequest);
crate::opaque_debug!(LoginRequest);
crate::opaque_debug!(RefreshRequest);
crate::opaque_debug!(ChangePasswordRequest);
crate::opaque_debug!(TokenResponse);
