//! `/api/legal/…` (LGPD, catalogue section 12): the terms of use and privacy policy in force, and
//! the caller's consents with their full history (time, client IP, user agent of each change).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use application::legal::ConsentUpdate;
use domain::legal::{ConsentChange, ConsentRecord, DocumentKind, LegalDocument};
use domain::shared::ids::UserId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem, TrackedJson};
use crate::query::Query;
use crate::routes::common::{request_meta, validated, Paging};
use crate::routes::page::Page;
use crate::routes::wire::{self, ConsentSource};
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "legal";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Terms of use, privacy policy and the caller's consents with their history (LGPD).",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(terms).service(privacy).service(get_consents).service(post_consents);
}

/// A legal text in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct LegalDocumentResponse {
    /// `terms` or `privacy`.
    pub kind: wire::DocumentKind,
    /// The version to accept (set by the operator).
    #[schema(example = "2026-12-01")]
    pub version: String,
    /// Always `text/markdown`.
    pub content_type: String,
    /// The text.
    pub text: String,
}

impl From<&LegalDocument> for LegalDocumentResponse {
    fn from(d: &LegalDocument) -> Self {
        Self {
            kind: d.kind.into(),
            version: d.version.to_string(),
            content_type: "text/markdown".into(),
            text: d.text.clone(),
        }
    }
}

/// Consents to change; absent ones stay as they are. Accepting a text accepts its version in
/// force; send the version shown to the user to be told (409) when it changed meanwhile.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentsRequest {
    /// Terms of use.
    pub terms_accepted: Option<bool>,
    /// Privacy policy.
    pub privacy_accepted: Option<bool>,
    /// Marketing messages (may be withdrawn at any time).
    pub marketing_accepted: Option<bool>,
    /// The terms version the user read (optional).
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub terms_version: Option<String>,
    /// The privacy version the user read (optional).
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub privacy_version: Option<String>,
}

/// One entry of the consent history: the state after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentEntryResponse {
    /// Entry id (ULID).
    pub id: String,
    /// Terms of use accepted.
    pub terms_accepted: bool,
    /// The terms version accepted.
    pub terms_version: Option<String>,
    /// Privacy policy accepted.
    pub privacy_accepted: bool,
    /// The privacy version accepted.
    pub privacy_version: Option<String>,
    /// Marketing allowed.
    pub marketing_accepted: bool,
    /// What led to it: `registration`, `update`, `profile`, `account_deleted`.
    pub source: ConsentSource,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: OffsetDateTime,
    /// Client IP (through trusted proxies).
    pub ip_address: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Kept at least until then (five years).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub retain_until: OffsetDateTime,
}

impl From<ConsentRecord> for ConsentEntryResponse {
    fn from(r: ConsentRecord) -> Self {
        Self {
            id: r.id.to_string(),
            terms_accepted: r.terms_accepted,
            terms_version: r.terms_version.map(String::from),
            privacy_accepted: r.privacy_accepted,
            privacy_version: r.privacy_version.map(String::from),
            marketing_accepted: r.marketing_accepted,
            source: r.source.into(),
            timestamp: r.at,
            ip_address: r.ip,
            user_agent: r.user_agent,
            retain_until: r.retain_until,
        }
    }
}

/// The caller's consents now, the versions in force, and the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentsResponse {
    /// The consents now (the newest entry).
    pub current: ConsentEntryResponse,
    /// The terms version in force.
    pub terms_version_in_force: String,
    /// The privacy version in force.
    pub privacy_version_in_force: String,
    /// Whether the texts in force are accepted; bots start only then (else 403
    /// `terms_not_accepted` or `privacy_not_accepted`).
    pub up_to_date: bool,
    /// The history, newest first.
    pub history: Page<ConsentEntryResponse>,
}

async fn consents(state: &AppState, user: UserId, paging: &Paging) -> Result<ConsentsResponse, ApiError> {
    let page = paging.page()?;
    let current = state.legal.current(user).await?;
    let texts = state.legal.texts();
    Ok(ConsentsResponse {
        up_to_date: current.require_current(texts).is_ok(),
        current: current.into(),
        terms_version_in_force: texts.terms.version.to_string(),
        privacy_version_in_force: texts.privacy.version.to_string(),
        history: state.legal.history(user, page).await?.into(),
    })
}

/// The terms of use in force (no token needed).
#[utoipa::path(tag = TAG, responses((status = 200, description = "The text", body = LegalDocumentResponse)))]
#[get("/api/legal/terms")]
pub async fn terms(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(LegalDocumentResponse::from(state.legal.texts().get(DocumentKind::Terms)))
}

/// The privacy policy in force (no token needed).
#[utoipa::path(tag = TAG, responses((status = 200, description = "The text", body = LegalDocumentResponse)))]
#[get("/api/legal/privacy")]
pub async fn privacy(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(LegalDocumentResponse::from(state.legal.texts().get(DocumentKind::Privacy)))
}

/// The caller's consents, whether the texts in force are accepted, and the history of changes.
#[utoipa::path(
    tag = TAG,
    params(Paging),
    responses(
        (status = 200, description = "Consents and history", body = ConsentsResponse),
        (status = 400, description = "Bad paging parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/legal/consents")]
pub async fn get_consents(
    state: web::Data<AppState>,
    auth: Authenticated,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(consents(&state, auth.0.user_id, &paging).await?))
}

/// Change consents: each change is a new history entry with the time, client IP and user agent,
/// kept five years (even after account deletion).
#[utoipa::path(
    tag = TAG,
    request_body = ConsentsRequest,
    responses(
        (status = 200, description = "Recorded; the consents and history", body = ConsentsResponse),
    )
)]
#[post("/api/legal/consents")]
pub async fn post_consents(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: TrackedJson<ConsentsRequest>,
) -> Result<HttpResponse, ApiError> {
    let meta = request_meta(&req, &state);
    let body = validated(body.into_inner())?;
    let update = ConsentUpdate {
        change: ConsentChange {
            terms: body.terms_accepted,
            privacy: body.privacy_accepted,
            marketing: body.marketing_accepted,
        },
        terms_version: body.terms_version,
        privacy_version: body.privacy_version,
    };
    state.legal.update(auth.0.user_id, update, &meta).await?;
    let paging = Paging { offset: None, limit: None };
    Ok(HttpResponse::Ok().json(consents(&state, auth.0.user_id, &paging).await?))
}
