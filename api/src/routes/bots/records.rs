//! `/api/bots/{id}/…`: the circuit breaker, signals, executions, positions and scheduled sales.

use actix_web::{get, post, web, HttpResponse};

use super::dto::*;
use super::{ok, TAG};
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::path_id::{PathId, PathIds};
use crate::query::Query;
use crate::routes::common::{validated, Paging};
use crate::routes::page::HistoryPage;
use crate::routes::wire::Id;
use crate::state::AppState;
use domain::shared::ids::{BotId, PositionId};

fn records(read: application::reports::Windowed<domain::bots::BotRecord>) -> HttpResponse {
    HttpResponse::Ok().json(HistoryPage::<RecordResponse>::from(read))
}

/// The circuit breaker: thresholds, consecutive losses, the rolling-24 h loss, and why it tripped.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "The breaker", body = CircuitBreakerResponse),
    )
)]
#[get("/api/bots/{id}/circuit-breaker")]
pub async fn circuit_breaker(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    let bot = state.bots.get(auth.0.user_id, *id).await?;
    let now = state.clock.now();
    Ok(HttpResponse::Ok().json(CircuitBreakerResponse::new(&bot.breaker, bot.funds.allocated, now)))
}

/// Re-arm the circuit breaker: clears the trip and the consecutive-loss count; a tripped bot
/// resumes running.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id")),
    responses(
        (status = 200, description = "Re-armed", body = BotResponse),
    )
)]
#[post("/api/bots/{id}/circuit-breaker/reset")]
pub async fn reset_circuit_breaker(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
) -> Result<HttpResponse, ApiError> {
    Ok(ok(state.bots.reset_breaker(auth.0.user_id, *id).await?))
}

/// A candle bot's analyses (signal, confidence and the indicator values behind it), newest first,
/// inside the plan's history window (FREE 30 days, PRO 90, MAX all; said in `history_window`).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id"), Paging),
    responses(
        (status = 200, description = "A page of signals", body = HistoryPage<RecordResponse>),
    )
)]
#[get("/api/bots/{id}/signals")]
pub async fn signals(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    Ok(records(state.bots.signals(auth.0.user_id, *id, paging.page()?).await?))
}

/// A DCA bot's purchases (cycle, amount, quantity, price, fee, average after it), newest first,
/// inside the plan's history window (said in `history_window`).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id"), Paging),
    responses(
        (status = 200, description = "A page of executions", body = HistoryPage<RecordResponse>),
    )
)]
#[get("/api/bots/{id}/executions")]
pub async fn executions(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    Ok(records(state.bots.executions(auth.0.user_id, *id, paging.page()?).await?))
}

/// Open and scheduled positions (current state: all), then the closed ones inside the plan's
/// history window, newest first (paged; the window is said in `history_window`).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id"), Paging),
    responses(
        (status = 200, description = "The positions", body = PositionsResponse),
    )
)]
#[get("/api/bots/{id}/positions")]
pub async fn positions(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<BotId>,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let (open, closed) = state.bots.positions(auth.0.user_id, *id, paging.page()?).await?;
    let view =
        |v: application::bots::PositionView| PositionResponse { position: v.position, entry_price: v.entry_price };
    let application::reports::Windowed { page: closed, window } = closed.map(view);
    Ok(HttpResponse::Ok().json(PositionsResponse {
        history_window: window.into(),
        open: open.into_iter().map(view).collect(),
        closed: closed.into(),
    }))
}

/// Schedule the sale of a channel position at entry + fees + `min_profit_percent` or better; the
/// channel workflow places it as a limit order (never below that floor).
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Bot id"), ("position_id" = Id, Path, description = "Position id")),
    request_body(content = Option<ScheduleSellRequest>),
    responses(
        (status = 200, description = "Scheduled", body = BotResponse),
    )
)]
#[post("/api/bots/{id}/positions/{position_id}/schedule-sell")]
pub async fn schedule_sell(
    state: web::Data<AppState>,
    auth: Authenticated,
    ids: PathIds<BotId, PositionId>,
    body: Option<TrackedJson<ScheduleSellRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (id, position) = ids.into_inner();
    let body = validated(body.map(|b| b.into_inner()).unwrap_or_default())?;
    let [min_profit_percent] =
        crate::routes::decimal::parse_all([("min_profit_percent", body.min_profit_percent.as_ref())])?;
    Ok(ok(state.bots.schedule_sell(auth.0.user_id, id, position, min_profit_percent).await?))
}
