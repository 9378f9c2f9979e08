//! `GET /api/contexts/{id}/signals`: the signals the `candle_analysis` workflow recorded for one
//! of the caller's contexts, newest candle first.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use domain::contexts::ContextSignal;
use domain::market::Timeframe;
use domain::signals::{Confidence, Signal, Vote};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::TAG;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::path_id::PathId;
use crate::query::Query;
use crate::routes::common::Paging;
use crate::routes::page::HistoryPage;
use crate::routes::wire::Id;
use crate::state::AppState;
use domain::shared::ids::ContextId;

/// One analysis of a closed candle of the context's market.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextSignalResponse {
    /// Signal id.
    pub id: String,
    /// The context.
    pub context_id: String,
    /// Its exchange.
    pub exchange: crate::routes::wire::Exchange,
    /// Its market, `BASE-QUOTE`.
    #[schema(example = "BTC-BRL")]
    pub symbol: String,
    /// The candles analysed.
    pub timeframe: Timeframe,
    /// Open time of the closed candle analysed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub candle_time: OffsetDateTime,
    /// `BUY`, `SELL` or `HOLD`.
    pub action: Signal,
    /// `LOW`, `MEDIUM` or `HIGH`: how many direction votes agree (HIGH on a filter's veto).
    pub confidence: Confidence,
    /// The candle's close, a decimal string.
    #[schema(value_type = String, example = "312345.67")]
    pub close: Decimal,
    /// Every indicator value by name (`rsi`, `sma_fast`, `bb_lower` …, and `close`), decimal
    /// strings rounded to 8 places.
    #[schema(value_type = BTreeMap<String, String>)]
    pub values: BTreeMap<String, Decimal>,
    /// Each indicator's vote and the values behind it, in the indicator set's order.
    pub votes: Vec<Vote>,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<ContextSignal> for ContextSignalResponse {
    fn from(s: ContextSignal) -> Self {
        Self {
            id: s.id.to_string(),
            context_id: s.context_id.to_string(),
            exchange: s.exchange.into(),
            symbol: s.symbol.to_string(),
            timeframe: s.timeframe,
            candle_time: s.candle_time,
            action: s.analysis.signal,
            confidence: s.analysis.confidence,
            close: s.close,
            values: s.analysis.values,
            votes: s.analysis.votes,
            created_at: s.created_at,
        }
    }
}

/// The signals recorded for one of the caller's contexts, newest candle first, inside the
/// plan's history window (FREE 30 days, PRO 90, MAX all; said in `history_window`). The
/// `candle_analysis` workflow (every 300 s) analyses each active context's market on its last
/// closed candles (timeframe `BOTFLEET_CONTEXT_ANALYSIS_TIMEFRAME`, `1h` by default) and records
/// one signal per closed candle.
#[utoipa::path(
    tag = TAG,
    params(("id" = Id, Path, description = "Context id"), Paging),
    responses(
        (status = 200, description = "A page of signals", body = HistoryPage<ContextSignalResponse>),
        (status = 400, description = "`offset` or `limit` is not a whole number in range (`invalid_query`, naming it)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/contexts/{id}/signals")]
pub async fn context_signals(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: PathId<ContextId>,
    paging: Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let page = paging.page()?;
    let signals = state.analysis.signals(auth.0.user_id, *id, page).await?;
    Ok(HttpResponse::Ok().json(HistoryPage::<ContextSignalResponse>::from(signals)))
}
