//! `/backoffice/api/users/{id}`: a user's detail in one call and the actions on users (block,
//! unblock, password-reset e-mail, pause a bot). The list is in [`super::user_list`].

use actix_web::{get, post, web, HttpResponse};
use application::backoffice::{BlockReport, UserDetail};
use domain::identity::User;
use domain::shared::ids::{BotId, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::audit::AuditEntryResponse;
use super::TAG;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::list_from_page;
use crate::routes::wire::{BotStatus, Exchange, Id, TradingMode, UserStatus};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_get_user)
        .service(bo_block_user)
        .service(bo_unblock_user)
        .service(bo_pause_bot)
        .service(bo_send_password_reset);
}

/// A user in the backoffice's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeUser {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Active, blocked or deleted.
    pub status: UserStatus,
    /// Whether the e-mail was verified.
    pub email_verified: bool,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<User> for BackofficeUser {
    fn from(u: User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            name: u.name.as_str().to_owned(),
            status: u.status.into(),
            email_verified: u.email_verified,
            created_at: u.created_at,
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeUserList {
    /// The users.
    pub items: Vec<BackofficeUser>,
    /// How many match.
    pub total: u64,
    /// Skipped.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
}

list_from_page!(BackofficeUserList, BackofficeUser);

/// One of the user's bots, as support sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeBot {
    /// Id.
    #[schema(value_type = String)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Exchange.
    pub exchange: Exchange,
    /// Live or paper.
    pub mode: TradingMode,
    /// Market, `BASE-QUOTE`.
    pub symbol: String,
    /// Status.
    pub status: BotStatus,
    /// Why it has that status.
    pub status_reason: Option<String>,
}

impl From<domain::bots::Bot> for BackofficeBot {
    fn from(b: domain::bots::Bot) -> Self {
        Self {
            id: b.id.to_string(),
            name: b.name,
            exchange: b.exchange.into(),
            mode: b.mode.into(),
            symbol: b.symbol.to_string(),
            status: b.status.into(),
            status_reason: b.status_reason,
        }
    }
}

/// A refresh session of the user (no token).
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeUserSession {
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Expires.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A user's detail: profile, bots, sessions and the recent backoffice audit about them.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackofficeUserDetail {
    /// The profile.
    pub user: BackofficeUser,
    /// Every bot with its status.
    pub bots: Vec<BackofficeBot>,
    /// The latest refresh sessions, newest first.
    pub sessions: Vec<BackofficeUserSession>,
    /// The latest backoffice audit entries about the user, newest first.
    pub audit: Vec<AuditEntryResponse>,
}

impl From<UserDetail> for BackofficeUserDetail {
    fn from(d: UserDetail) -> Self {
        let sessions = d.sessions.items.into_iter().map(|s| BackofficeUserSession {
            created_at: s.created_at,
            expires_at: s.expires_at,
            revoked: s.revoked_at.is_some(),
        });
        Self {
            user: d.user.into(),
            bots: d.bots.into_iter().map(Into::into).collect(),
            sessions: sessions.collect(),
            audit: d.audit.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// What blocking did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockResponse {
    /// Refresh sessions revoked (access tokens stop working at once too).
    pub sessions_revoked: u64,
    /// Running bots paused.
    pub bots_paused: u32,
}

impl From<BlockReport> for BlockResponse {
    fn from(r: BlockReport) -> Self {
        Self { sessions_revoked: r.sessions_revoked, bots_paused: r.bots_paused }
    }
}

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    UserId::parse(raw).ok_or_else(|| ApiError::new(ErrorCode::NotFound, "user not found"))
}

/// A user's detail in one call. A deleted account is a 404.
#[utoipa::path(
    tag = TAG,
    security(("backoffice_session" = [])),
    params(("id" = Id, Path, description = "The user")),
    responses((status = 200, description = "The user", body = BackofficeUserDetail))
)]
#[get("/backoffice/api/users/{id}")]
pub async fn bo_get_user(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let detail = state.backoffice.user_detail(user_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(BackofficeUserDetail::from(detail)))
}

/// Block the user: their access and refresh tokens stop working at once, their login answers
/// 403 `account_blocked`, and their running bots are paused (reason: blocked by an operator).
/// Blocking again finishes what a failed attempt left.
#[utoipa::path(
    tag = TAG,
    security(("backoffice_session" = [])),
    params(("id" = Id, Path, description = "The user")),
    responses((status = 200, description = "Blocked", body = BlockResponse))
)]
#[post("/backoffice/api/users/{id}/block")]
pub async fn bo_block_user(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let report = state.backoffice.block_user(user_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(BlockResponse::from(report)))
}

/// Unblock the user (their bots stay paused until they resume them).
#[utoipa::path(
    tag = TAG,
    security(("backoffice_session" = [])),
    params(("id" = Id, Path, description = "The user")),
    responses((status = 200, description = "Unblocked", body = BackofficeUser))
)]
#[post("/backoffice/api/users/{id}/unblock")]
pub async fn bo_unblock_user(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let user = state.backoffice.unblock_user(user_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(BackofficeUser::from(user)))
}

/// Pause one of the user's running bots (reason: paused by an operator).
#[utoipa::path(
    tag = TAG,
    security(("backoffice_session" = [])),
    params(("id" = Id, Path, description = "The user"), ("bot_id" = Id, Path, description = "The bot")),
    responses((status = 200, description = "Paused", body = BackofficeBot))
)]
#[post("/backoffice/api/users/{id}/bots/{bot_id}/pause")]
pub async fn bo_pause_bot(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (user, bot) = path.into_inner();
    let bot = BotId::parse(&bot).ok_or_else(|| ApiError::new(ErrorCode::NotFound, "bot not found"))?;
    let bot = state.backoffice.pause_bot(user_id(&user)?, bot, "paused by an operator").await?;
    Ok(HttpResponse::Ok().json(BackofficeBot::from(bot)))
}

/// Send the user the password-reset e-mail (the same message and link as
/// `POST /api/auth/password/forgot`: it works once, for 30 minutes). The answer holds no token.
/// A blocked account is refused (unblock it first); 3 per user's e-mail per 15 minutes.
#[utoipa::path(
    tag = TAG,
    security(("backoffice_session" = [])),
    params(("id" = Id, Path, description = "The user")),
    responses((status = 202, description = "The e-mail is on its way"))
)]
#[post("/backoffice/api/users/{id}/password-reset")]
pub async fn bo_send_password_reset(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = state.backoffice.active_user(user_id(&id)?).await?;
    state.identity.forgot_password(user.email.as_str()).await?;
    Ok(HttpResponse::Accepted().finish())
}
