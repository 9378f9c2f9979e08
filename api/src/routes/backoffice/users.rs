//! `/backoffice/api/users`: the user list with filters and sorting, a user's detail in one call,
//! and the actions on users (block, unblock, password-reset e-mail, pause a bot).

use actix_web::{get, post, web, HttpResponse};
use application::backoffice::{BlockReport, UserDetail, UserListQuery, UserSort};
use domain::identity::User;
use domain::shared::ids::{BotId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::audit::{instant, AuditEntryResponse};
use super::TAG;
use crate::error::{ApiError, ErrorCode};
use crate::query::Query;
use crate::routes::common::{invalid_query, list_from_page, page_of};
use crate::routes::wire::{BotStatus, Exchange, Id, TradingMode, UserStatus};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_list_users)
        .service(bo_get_user)
        .service(bo_block_user)
        .service(bo_unblock_user)
        .service(bo_pause_bot)
        .service(bo_send_password_reset);
}

/// The user list's filters, sorting and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Only users in this state.
    #[param(value_type = Option<UserStatus>)]
    pub status: Option<String>,
    /// Only users whose e-mail starts with this (compared in lower case).
    #[param(min_length = 1, max_length = 254)]
    pub email_prefix: Option<String>,
    /// Only users created at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub created_from: Option<String>,
    /// Only users created before this RFC 3339 instant.
    #[param(format = DateTime)]
    pub created_to: Option<String>,
    /// `created_asc` (default), `created_desc` or `email_asc`.
    #[param(pattern = "^(created_asc|created_desc|email_asc)$")]
    pub sort: Option<String>,
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

fn user_query(p: &UserListParams) -> Result<UserListQuery, ApiError> {
    let status = match p.status.as_deref() {
        None => None,
        Some("active") => Some(domain::identity::UserStatus::Active),
        Some("blocked") => Some(domain::identity::UserStatus::Blocked),
        Some("deleted") => Some(domain::identity::UserStatus::Deleted),
        Some(_) => return Err(invalid_query("status", "one of `active`, `blocked`, `deleted`")),
    };
    let sort = match p.sort.as_deref() {
        None | Some("created_asc") => UserSort::CreatedAsc,
        Some("created_desc") => UserSort::CreatedDesc,
        Some("email_asc") => UserSort::EmailAsc,
        Some(_) => return Err(invalid_query("sort", "one of `created_asc`, `created_desc`, `email_asc`")),
    };
    let email_prefix = match p.email_prefix.as_deref().map(str::trim) {
        Some("") => return Err(invalid_query("email_prefix", "1 to 254 characters")),
        Some(prefix) if prefix.chars().count() > 254 => {
            return Err(invalid_query("email_prefix", "1 to 254 characters"))
        }
        other => other.map(str::to_lowercase),
    };
    Ok(UserListQuery {
        status,
        role: None,
        email_prefix,
        created_from: instant("created_from", p.created_from.as_deref())?,
        created_to: instant("created_to", p.created_to.as_deref())?,
        sort,
    })
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

/// Users, filtered and sorted (indexes serve each filter and order on both stores). Counts
/// against the operator's list limit (60 a minute).
#[utoipa::path(
    tag = TAG,
    security(("backoffice_session" = [])),
    params(UserListParams),
    responses((status = 200, description = "A page of users", body = BackofficeUserList))
)]
#[get("/backoffice/api/users")]
pub async fn bo_list_users(
    state: web::Data<AppState>,
    params: Query<UserListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_of(params.offset, params.limit)?;
    let users = state.backoffice.list_users(&user_query(&params)?, page).await?;
    Ok(HttpResponse::Ok().json(BackofficeUserList::from(users)))
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
