//! `GET /api/dashboard/performance` (every plan, cut to its history window; BTC buy-and-hold for
//! PRO and MAX) and `GET /api/dashboard/metrics` (MAX). Definitions: `docs/analytics.md`.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use application::analytics::{parse_interval, BookMetrics, Comparison, Performance, PerformanceRequest, WindowChoice};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::performance_dto::{
    value, AppliedWindowResponse, BookKeyResponse, BookSeriesResponse, ComparisonStatus, TradeResponse,
};
use super::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::common::invalid_query;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_performance).service(get_metrics);
}

/// The window and spacing of a performance read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PerformanceParams {
    /// `7d`, `30d` (default), `90d`, `1y` or `all`; cut to the plan's history window.
    #[param(pattern = "^(7d|30d|90d|1y|all)$")]
    pub window: Option<String>,
    /// `hour` or `day`; default hourly for windows up to 7 days, daily beyond. Hourly is
    /// refused beyond 31 days.
    #[param(pattern = "^(hour|day)$")]
    pub interval: Option<String>,
}

pub(super) fn window_of(raw: Option<&str>) -> Result<WindowChoice, ApiError> {
    raw.map_or(Ok(WindowChoice::Month), |w| w.parse().map_err(|e| invalid_query("window", &format!("{e}"))))
}

/// The series of every book of the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceResponse {
    /// The window applied.
    #[serde(flatten)]
    pub window: AppliedWindowResponse,
    /// `hour` or `day`.
    pub interval: String,
    /// Whether the plan includes BTC buy-and-hold (PRO and MAX).
    pub market_comparison: ComparisonStatus,
    /// One per mode, exchange and quote currency: amounts in different quote currencies are never
    /// converted into each other (botfleet has no rate between them).
    pub books: Vec<BookSeriesResponse>,
}

/// The caller's equity and cumulative P&L series per book (mode, exchange, quote currency), built
/// from the bots' books and their closed positions, the last point marking open holdings; with BTC
/// buy-and-hold over the same points for PRO and MAX.
#[utoipa::path(
    tag = TAG,
    params(PerformanceParams),
    responses((status = 200, description = "The series", body = PerformanceResponse))
)]
#[get("/api/dashboard/performance")]
pub async fn get_performance(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<PerformanceParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let window = window_of(p.window.as_deref())?;
    let interval =
        p.interval.as_deref().map(parse_interval).transpose().map_err(|e| invalid_query("interval", &e.to_string()))?;
    let perf = state.analytics.performance(auth.0.user_id, PerformanceRequest { window, interval }).await?;
    // A cached answer is the same `Arc` for every hit: its JSON is rendered once.
    let body = state.performance_json.json(&perf, response_of).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

fn response_of(perf: &Performance) -> PerformanceResponse {
    let market_comparison = match &perf.comparison {
        Comparison::Included => ComparisonStatus::included(),
        Comparison::NotInPlan(why) => ComparisonStatus::not_in_plan(why),
    };
    PerformanceResponse {
        window: (&perf.window).into(),
        interval: perf.interval.as_str().to_owned(),
        market_comparison,
        books: perf.books.iter().map(Into::into).collect(),
    }
}

/// The window of a metrics read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsParams {
    /// `7d`, `30d` (default), `90d`, `1y` or `all`.
    #[param(pattern = "^(7d|30d|90d|1y|all)$")]
    pub window: Option<String>,
}

/// A maximum drawdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawdownResponse {
    /// How much equity fell (>= 0), in the quote currency.
    #[schema(value_type = String)]
    pub amount: Decimal,
    /// The fall as a percentage of the peak (0 to 100), 8 places.
    #[schema(value_type = String)]
    pub percent: Decimal,
    /// When the peak was.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub peak_at: OffsetDateTime,
    /// When the trough was.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub trough_at: OffsetDateTime,
}

/// The advanced metrics of one book. A `null` figure's reason is in `unavailable`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookMetricsResponse {
    /// Which book.
    #[serde(flatten)]
    pub key: BookKeyResponse,
    /// Trades closed in the window.
    pub trades: usize,
    /// Winning trades (realized profit net of fees > 0).
    pub wins: usize,
    /// `wins / trades * 100`, 2 places.
    #[schema(value_type = Option<String>)]
    pub win_rate: Option<Decimal>,
    /// Annualised Sharpe ratio of the daily returns (`sqrt(365)`).
    pub sharpe_ratio: Option<f64>,
    /// Annualised Sortino ratio of the daily returns.
    pub sortino_ratio: Option<f64>,
    /// Maximum drawdown of the daily equity.
    pub max_drawdown: Option<DrawdownResponse>,
    /// Gross profit / gross loss, 8 places.
    #[schema(value_type = Option<String>)]
    pub profit_factor: Option<Decimal>,
    /// Sum of the winning trades' profit.
    #[schema(value_type = String)]
    pub gross_profit: Decimal,
    /// Sum of the losing trades' losses (positive).
    #[schema(value_type = String)]
    pub gross_loss: Decimal,
    /// Mean realized profit per trade, 8 places.
    #[schema(value_type = Option<String>)]
    pub expectancy: Option<Decimal>,
    /// Mean hold time in seconds, 3 places.
    #[schema(value_type = Option<String>)]
    pub average_hold_seconds: Option<Decimal>,
    /// Median hold time in seconds.
    #[schema(value_type = Option<String>)]
    pub median_hold_seconds: Option<Decimal>,
    /// The most profitable trade.
    pub best_trade: Option<TradeResponse>,
    /// The least profitable trade.
    pub worst_trade: Option<TradeResponse>,
    /// Why a figure is `null`, by figure: `no_trades`, `too_few_days`, `zero_variance`,
    /// `no_downside`, `no_losses`, `non_positive_equity`, `overflow`.
    pub unavailable: BTreeMap<String, String>,
}

impl From<&BookMetrics> for BookMetricsResponse {
    fn from(b: &BookMetrics) -> Self {
        let (m, t) = (&b.metrics, &b.metrics.trades);
        let mut why = BTreeMap::new();
        let hold = value(&t.hold, "average_hold_seconds", &mut why);
        if hold.is_none() {
            value(&t.hold, "median_hold_seconds", &mut why);
        }
        Self {
            key: (&b.key).into(),
            trades: t.trades,
            wins: t.wins,
            win_rate: value(&t.win_rate, "win_rate", &mut why),
            sharpe_ratio: value(&m.sharpe, "sharpe_ratio", &mut why),
            sortino_ratio: value(&m.sortino, "sortino_ratio", &mut why),
            max_drawdown: value(&m.max_drawdown, "max_drawdown", &mut why).map(|d| DrawdownResponse {
                amount: d.amount,
                percent: d.percent,
                peak_at: d.peak_at,
                trough_at: d.trough_at,
            }),
            profit_factor: value(&t.profit_factor, "profit_factor", &mut why),
            gross_profit: t.gross_profit,
            gross_loss: t.gross_loss,
            expectancy: value(&t.expectancy, "expectancy", &mut why),
            average_hold_seconds: hold.map(|h| h.average_seconds),
            median_hold_seconds: hold.map(|h| h.median_seconds),
            best_trade: value(&t.best, "best_trade", &mut why).as_ref().map(Into::into),
            worst_trade: value(&t.worst, "worst_trade", &mut why).as_ref().map(Into::into),
            unavailable: why,
        }
    }
}

/// The advanced metrics of every book of the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsResponse {
    /// The window applied (MAX's history is unlimited).
    #[serde(flatten)]
    pub window: AppliedWindowResponse,
    /// The annual risk-free rate the ratios subtract (a fraction; `BOTFLEET_ANALYTICS_RISK_FREE_RATE`).
    #[schema(value_type = String)]
    pub risk_free_rate: Decimal,
    /// Days a year the ratios are annualised over (`sqrt(365)`: crypto trades every day).
    pub annualisation_days: u32,
    /// One per mode, exchange and quote currency.
    pub books: Vec<BookMetricsResponse>,
}

/// The caller's advanced metrics per book (MAX): Sharpe, Sortino, maximum drawdown, profit factor,
/// average and median hold time, expectancy, win rate, best and worst trade.
#[utoipa::path(
    tag = TAG,
    params(MetricsParams),
    responses((status = 200, description = "The metrics", body = MetricsResponse))
)]
#[get("/api/dashboard/metrics")]
pub async fn get_metrics(
    state: web::Data<AppState>,
    auth: Authenticated,
    params: Query<MetricsParams>,
) -> Result<HttpResponse, ApiError> {
    let window = window_of(params.into_inner().window.as_deref())?;
    let report = state.analytics.metrics(auth.0.user_id, window).await?;
    Ok(HttpResponse::Ok().json(MetricsResponse {
        window: (&report.window).into(),
        risk_free_rate: report.risk_free_rate,
        annualisation_days: domain::analytics::DAYS_PER_YEAR,
        books: report.books.iter().map(Into::into).collect(),
    }))
}
