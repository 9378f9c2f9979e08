//! `/api/reports/…`: the caller's realized profit per strategy and per bot, a summary of their
//! positions, and their closed positions as trades, each cut to the plan's history window
//! (FREE 30 days, PRO 90, MAX all) and saying which in `history_window`.

mod dto;
mod params;

use actix_web::{get, web, HttpResponse};
use application::reports::{PositionsQuery, ProfitQuery};
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::*;
pub use params::*;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::common::page_of;
use crate::routes::page::HistoryPage;
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "reports";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Reports: realized profit per strategy and bot, positions, trades; cut to the plan's history window.",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(report_profit).service(report_positions).service(report_trades);
}

/// Realized profit per strategy (smart, candle, dca, channel; per mode and quote currency) and
/// per bot, from the positions closed inside the plan's history window; `bot_id` narrows it to
/// one bot (404 when it is not the caller's).
#[utoipa::path(
    tag = TAG,
    params(ProfitParams),
    responses(
        (status = 200, description = "The profit report", body = ProfitReportResponse),
    )
)]
#[get("/api/reports/profit")]
pub async fn report_profit(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<ProfitParams>,
) -> Result<HttpResponse, ApiError> {
    let query = ProfitQuery { bot_id: params.into_inner().bot_id };
    Ok(HttpResponse::Ok().json(ProfitReportResponse::from(state.reports.profit(auth.0.user_id, &query).await?)))
}

/// A summary of the caller's positions per mode and quote currency (open: count and cost
/// basis; closed in the last `days`, cut to the history window: count, cost, realized profit),
/// and the positions themselves (`status` picks open, closed or all), open first, paged.
#[utoipa::path(
    tag = TAG,
    params(PositionsParams),
    responses(
        (status = 200, description = "The positions report", body = PositionsReportResponse),
    )
)]
#[get("/api/reports/positions")]
pub async fn report_positions(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<PositionsParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let page = page_of(p.offset, p.limit)?;
    let query = PositionsQuery { days: p.days, status: p.status };
    let report = state.reports.positions(auth.0.user_id, &query, page).await?;
    Ok(HttpResponse::Ok().json(PositionsReportResponse::from(report)))
}

/// The caller's closed positions as trades (entry cost, proceeds, realized profit, exit
/// reason, opened and closed times), newest first, by market and close time, inside the plan's
/// history window (an earlier `from` is moved up to its start).
#[utoipa::path(
    tag = TAG,
    params(TradesParams),
    responses(
        (status = 200, description = "A page of trades", body = HistoryPage<TradeResponse>),
    )
)]
#[get("/api/reports/trades")]
pub async fn report_trades(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<TradesParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let page = page_of(p.offset, p.limit)?;
    let trades = state.reports.trades(auth.0.user_id, &p.query(), page).await?;
    Ok(HttpResponse::Ok().json(HistoryPage::<TradeResponse>::from(trades)))
}
