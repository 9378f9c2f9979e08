//! `/api/notifications/telegram[/link]`: linking a Telegram chat to the account (a one-time code
//! and its deep link), reading whether one is linked, and unlinking it. 503
//! `telegram_unavailable` when the server has no bot (`BOTFLEET_TELEGRAM_BOT_TOKEN` unset).

use std::sync::Arc;

use actix_web::{delete, get, post, web, HttpResponse};
use application::notifications::{TelegramLinkError, TelegramLinking};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::routes::RouteModule;
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "telegram";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Linking a Telegram chat that receives the notifications the user puts on `telegram`.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_link).service(read_link).service(remove_link);
}

/// A one-time code to link a chat.
#[derive(Serialize, ToSchema)]
pub struct TelegramLinkOffer {
    /// The code: open `url`, or send the bot `/start <code>`. Works once, for 10 minutes; a new
    /// code supersedes it.
    #[schema(example = "q3Xv9M0kTzW2bq4yJ8d1sA")]
    pub code: String,
    /// `https://t.me/<bot username>?start=<code>`.
    #[schema(example = "https://t.me/botfleet_bot?start=q3Xv9M0kTzW2bq4yJ8d1sA")]
    pub url: String,
    /// When the code stops working.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

crate::opaque_debug!(TelegramLinkOffer);

/// Whether a chat is linked.
#[derive(Debug, Serialize, ToSchema)]
pub struct TelegramStatus {
    /// Whether a chat receives the user's Telegram notifications.
    pub linked: bool,
    /// Since when; `null` when not linked.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub linked_at: Option<OffsetDateTime>,
}

/// The linking use cases, or 503 when Telegram is off.
fn linking(state: &AppState) -> Result<&Arc<TelegramLinking>, ApiError> {
    state.telegram.as_ref().ok_or_else(|| TelegramLinkError::Off.into())
}

/// Get a one-time code and deep link to link a Telegram chat (the previous code stops working).
/// Opening the link makes Telegram send the bot `/start <code>`; the bot links that chat and
/// answers with a confirmation.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "The code and its deep link", body = TelegramLinkOffer),
        (status = 503, description = "Telegram is off on this server or unreachable (`telegram_unavailable`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/notifications/telegram/link")]
pub async fn create_link(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let offer = linking(&state)?.offer(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(TelegramLinkOffer { code: offer.code, url: offer.url, expires_at: offer.expires_at }))
}

/// Whether a Telegram chat is linked, and since when.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "The link's state", body = TelegramStatus),
        (status = 503, description = "Telegram is off on this server (`telegram_unavailable`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/notifications/telegram")]
pub async fn read_link(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let link = linking(&state)?.status(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(TelegramStatus { linked: link.is_some(), linked_at: link.map(|l| l.linked_at) }))
}

/// Unlink the Telegram chat (nothing more is sent there). 204 whether or not one was linked.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 204, description = "No chat is linked now"),
        (status = 503, description = "Telegram is off on this server (`telegram_unavailable`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/notifications/telegram")]
pub async fn remove_link(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    linking(&state)?.unlink(auth.0.user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
