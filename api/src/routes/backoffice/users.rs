//! `/backoffice/api/users/{id}/...`: the actions on users (block, unblock, password-reset e-mail,
//! pause a bot). The list is in [`super::user_list`], the detail in [`super::user_detail`].

use actix_web::{post, web, HttpResponse};
use application::backoffice::BlockReport;
use domain::identity::User;
use domain::shared::ids::{BotId, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::user_detail::BackofficeBot;
use super::TAG;
use crate::error::ApiError;
use crate::path_id::{PathId, PathIds};
use crate::routes::wire::{Id, UserStatus};
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(bo_block_user).service(bo_unblock_user).service(bo_pause_bot).service(bo_send_password_reset);
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

/// Block the user: their access and refresh tokens stop working at once, their login answers
/// 403 `account_blocked`, and their running bots are paused (reason: blocked by an operator).
/// Blocking again finishes what a failed attempt left.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The user")),
    responses((status = 200, description = "Blocked", body = BlockResponse))
)]
#[post("/backoffice/api/users/{id}/block")]
pub async fn bo_block_user(state: web::Data<AppState>, id: PathId<UserId>) -> Result<HttpResponse, ApiError> {
    let report = state.backoffice.block_user(*id).await?;
    Ok(HttpResponse::Ok().json(BlockResponse::from(report)))
}

/// Unblock the user (their bots stay paused until they resume them).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The user")),
    responses((status = 200, description = "Unblocked", body = BackofficeUser))
)]
#[post("/backoffice/api/users/{id}/unblock")]
pub async fn bo_unblock_user(state: web::Data<AppState>, id: PathId<UserId>) -> Result<HttpResponse, ApiError> {
    let user = state.backoffice.unblock_user(*id).await?;
    Ok(HttpResponse::Ok().json(BackofficeUser::from(user)))
}

/// Pause one of the user's running bots (reason: paused by an operator).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The user"), ("bot_id" = Id, Path, description = "The bot")),
    responses((status = 200, description = "Paused", body = BackofficeBot))
)]
#[post("/backoffice/api/users/{id}/bots/{bot_id}/pause")]
pub async fn bo_pause_bot(state: web::Data<AppState>, ids: PathIds<UserId, BotId>) -> Result<HttpResponse, ApiError> {
    let (user, bot) = ids.into_inner();
    let bot = state.backoffice.pause_bot(user, bot, "paused by an operator").await?;
    Ok(HttpResponse::Ok().json(BackofficeBot::from(bot)))
}

/// Send the user the password-reset e-mail (the same message and link as
/// `POST /api/auth/password/forgot`: it works once, for 30 minutes). The answer holds no token.
/// A blocked account is refused (unblock it first); 3 per user's e-mail per 15 minutes.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "The user")),
    responses((status = 202, description = "The e-mail is on its way"))
)]
#[post("/backoffice/api/users/{id}/password-reset")]
pub async fn bo_send_password_reset(state: web::Data<AppState>, id: PathId<UserId>) -> Result<HttpResponse, ApiError> {
    let user = state.backoffice.active_user(*id).await?;
    state.identity.forgot_password(user.email.as_str()).await?;
    Ok(HttpResponse::Accepted().finish())
}
