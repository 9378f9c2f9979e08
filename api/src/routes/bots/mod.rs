//! `/api/bots`: bots of every kind in the caller's contexts, their life cycle, emergency sell,
//! manual buys and sells, circuit breaker, positions and records.

mod dto;
mod manual;
mod records;

use actix_web::{delete, get, post, put, web, HttpResponse};
use application::bots::{check_name, invalid_fields, BotListQuery, CreateBotInput, UpdateBotInput};
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::*;
pub use manual::{BotOrderRequest, BotOrderResponse};

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::field_value::{FieldCheck, Parsed};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::{page_of, validated};
use crate::routes::page::Page;
use crate::routes::wire::Id;
use crate::state::AppState;
use domain::bots::{BotConfig, BotKind};
use domain::shared::ids::BotId;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "bots";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description:
        "Bots (smart, candle, dca, channel) in a trading context: configuration, life cycle, risk and records.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_bot)
        .service(list_bots)
        .service(get_bot)
        .service(update_bot)
        .service(delete_bot)
        .service(start_bot)
        .service(pause_bot)
        .service(resume_bot)
        .service(stop_bot)
        .service(emergency_sell)
        .service(manual::buy)
        .service(manual::sell)
        .service(records::circuit_breaker)
        .service(records::reset_circuit_breaker)
        .service(records::signals)
        .service(records::executions)
        .service(records::positions)
        .service(records::schedule_sell);
}

/// `raw` parsed as a config of `kind`; each bad field added to `check`, named at its depth.
fn config_of(check: &mut FieldCheck, kind: BotKind, raw: &serde_json::Value) -> Option<BotConfig> {
    BotConfig::parse(kind, raw).map_err(|issues| check.extend(invalid_fields(issues))).ok()
}

fn ok(bot: domain::bots::Bot) -> HttpResponse {
    HttpResponse::Ok().json(BotResponse::from(bot))
}

/// Create a bot (status `created`). The config is validated for the kind, every bad field named.
#[utoipa::path(
    tag = TAG,
    request_body = CreateBotRequest,
    responses(
        (status = 201, description = "Created", body = BotResponse),
    )
)]
#[post("/api/bots")]
pub async fn create_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<CreateBotRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = validated(body.into_inner())?;
    let mut check = FieldCheck::default();
    let context_id = check.required("context_id", b.context_id);
    let kind = check.required("kind", b.kind);
    let name = check_name(&b.name).map_err(|e| check.extend([e])).ok();
    let config = kind.and_then(|kind| config_of(&mut check, kind, &b.config));
    let (context_id, (name, config)) = check.finish(context_id.zip(name.zip(config)))?;
    let input = CreateBotInput { context_id, name, config };
    let bot = state.bots.create(auth.0.user_id, input).await?;
    Ok(HttpResponse::Created().json(BotResponse::from(bot)))
}

/// The caller's bots, oldest first, filtered by context, kind and status.
#[utoipa::path(
    tag = TAG,
    params(BotListParams),
    responses(
        (status = 200, description = "A page of bots", body = Page<BotResponse>),
    )
)]
#[get("/api/bots")]
pub async fn list_bots(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<BotListParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let page = page_of(p.offset, p.limit)?;
    crate::routes::common::refuse_blank(&[
        ("context_id", p.context_id.as_ref().is_some_and(Parsed::is_blank)),
        ("kind", p.kind.as_ref().is_some_and(Parsed::is_blank)),
        ("status", p.status.as_ref().is_some_and(Parsed::is_blank)),
    ])?;
    let mut check = FieldCheck::default();
    let query = BotListQuery {
        context_id: check.optional("context_id", p.context_id),
        kind: check.optional("kind", p.kind),
        status: check.optional("status", p.status),
    };
    let query = check.finish(Some(query))?;
    let bots = state.bots.list(auth.0.user_id, &query, page).await?;
    Ok(HttpResponse::Ok().json(Page::<BotResponse>::from(bots)))
}

/// One bot.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "The bot", body = BotResponse),
    )
)]
#[get("/api/bots/{id}")]
pub async fn get_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(state.bots.get(auth.0.user_id, *id).await?))
}

/// Rename a bot or replace its configuration; the configuration changes only while the bot is
/// not running (pause or stop it first).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    request_body = UpdateBotRequest,
    responses(
        (status = 200, description = "Updated", body = BotResponse),
    )
)]
#[put("/api/bots/{id}")]
pub async fn update_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
    body: TrackedJson<UpdateBotRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = validated(body.into_inner())?;
    let config = match &b.config {
        // A config is of the bot's kind: parsed against it, every bad field named.
        Some(raw) => {
            let kind = state.bots.get(auth.0.user_id, *id).await?.kind();
            let mut check = FieldCheck::default();
            let config = config_of(&mut check, kind, raw);
            Some(check.finish(config)?)
        }
        None => None,
    };
    Ok(ok(state.bots.update(auth.0.user_id, *id, UpdateBotInput { name: b.name, config }).await?))
}

/// Delete a created or stopped bot without pending orders (its records stay).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 204, description = "Deleted"),
    )
)]
#[delete("/api/bots/{id}")]
pub async fn delete_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    state.bots.delete(auth.0.user_id, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Start a created or stopped bot. Refused, each with its problem code, when the subscription
/// is not active, the plan does not allow the bot (its kind, a place among the owner's bots, the
/// advanced indicators it uses), the context is paused, a live context's credential is missing or
/// invalid, or the bot's unspent allocation exceeds the free quote on the exchange.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "Running", body = BotResponse),
    )
)]
#[post("/api/bots/{id}/start")]
pub async fn start_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(state.bots.start(auth.0.user_id, *id).await?))
}

/// Pause a running bot: it opens nothing, its protective exits keep working.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "Paused", body = BotResponse),
    )
)]
#[post("/api/bots/{id}/pause")]
pub async fn pause_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(state.bots.pause(auth.0.user_id, *id).await?))
}

/// Resume a paused bot (a tripped bot resumes through `circuit-breaker/reset`), after the same
/// plan and context checks as start: a bot paused because its owner's plan shrank stays paused
/// until the plan allows it again.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "Running", body = BotResponse),
    )
)]
#[post("/api/bots/{id}/resume")]
pub async fn resume_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(state.bots.resume(auth.0.user_id, *id).await?))
}

/// Stop a bot: its pending orders are cancelled; its positions stay (sell them with
/// `emergency-sell`). The answer waits (10 s at most) until the engine is done with the bot, so
/// once it is 200 nothing more is sent or filled for it. A 409 `bot_busy` means the bot is stopped
/// but the engine was still acting on it: stop again (stopping a stopped bot answers 200 once
/// that work is finished).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "Stopped", body = BotResponse),
    )
)]
#[post("/api/bots/{id}/stop")]
pub async fn stop_bot(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(state.bots.stop(auth.0.user_id, *id).await?))
}

/// Emergency sell: cancel every pending order, sell everything the bot holds at market now, and
/// stop it.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "Sold and stopped", body = BotResponse),
    )
)]
#[post("/api/bots/{id}/emergency-sell")]
pub async fn emergency_sell(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(state.bots.emergency_sell(auth.0.user_id, *id).await?))
}
