//! The wire shapes of `/api/dashboard/performance` and `/api/dashboard/metrics`. Money is a
//! decimal string per quote currency; a figure that cannot be computed is `null` and its reason is
//! in `unavailable`.

use std::collections::BTreeMap;

use application::analytics::{AppliedWindow, Benchmark, BookKey, BookSeries, ComparisonUnavailable};
use domain::analytics::{ClosedTrade, EquityPoint, Figure, HoldPoint};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::routes::common::HistoryWindowResponse;
use crate::routes::wire::{Exchange, Plan, TradingMode};

/// The window a dashboard read applied.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedWindowResponse {
    /// The plan's history window, applied.
    pub history_window: HistoryWindowResponse,
    /// The window asked for (`30d` by default).
    pub window: String,
    /// Where the read starts after the plan's window cut it (`null`: each book's first trade).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub from: Option<OffsetDateTime>,
    /// Now: where the read ends (every series' last point).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub to: OffsetDateTime,
}

impl From<&AppliedWindow> for AppliedWindowResponse {
    fn from(w: &AppliedWindow) -> Self {
        Self { history_window: w.history_window.into(), window: w.window.as_str().to_owned(), from: w.from, to: w.to }
    }
}

/// Which book: one per mode, exchange and quote currency (never converted into each other).
#[derive(Debug, Serialize, ToSchema)]
pub struct BookKeyResponse {
    /// `live` or `paper` (never summed together).
    pub mode: TradingMode,
    /// The exchange.
    pub exchange: Exchange,
    /// The quote currency every amount of the book is in (`BRL`, `USDT`).
    pub quote: String,
}

impl From<&BookKey> for BookKeyResponse {
    fn from(key: &BookKey) -> Self {
        Self { mode: key.mode.into(), exchange: key.exchange.into(), quote: key.quote.clone() }
    }
}

/// One point of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointResponse {
    /// When (an interval boundary; the last point is now).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Capital + realized profit at that time (+ unrealized P&L at the last point).
    #[schema(value_type = String)]
    pub equity: Decimal,
    /// The equity's change since the first point.
    #[schema(value_type = String)]
    pub cumulative_pnl: Decimal,
}

impl From<&EquityPoint> for PointResponse {
    fn from(p: &EquityPoint) -> Self {
        Self { at: p.at, equity: p.equity, cumulative_pnl: p.cumulative_pnl }
    }
}

/// One point of BTC buy-and-hold.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldPointResponse {
    /// When (the series point's instant).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// BTC's price then (the close of the last candle opened before).
    #[schema(value_type = String)]
    pub price: Decimal,
    /// The book's first equity, bought into BTC at the first price and held.
    #[schema(value_type = String)]
    pub equity: Decimal,
    /// `(price / first price - 1) * 100`, 4 places.
    #[schema(value_type = String)]
    pub return_percent: Decimal,
}

impl From<&HoldPoint> for HoldPointResponse {
    fn from(p: &HoldPoint) -> Self {
        Self { at: p.at, price: p.price, equity: p.equity, return_percent: p.return_percent }
    }
}

/// BTC buy-and-hold over a book's series.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenchmarkResponse {
    /// The market, e.g. `BTC-USDT`, on the book's exchange.
    pub symbol: String,
    /// One per series point.
    pub points: Vec<HoldPointResponse>,
}

impl From<&Benchmark> for BenchmarkResponse {
    fn from(b: &Benchmark) -> Self {
        Self { symbol: b.symbol.clone(), points: b.points.iter().map(Into::into).collect() }
    }
}

/// The series of one book.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookSeriesResponse {
    /// Which book.
    #[serde(flatten)]
    pub key: BookKeyResponse,
    /// How many bots it adds up.
    pub bots: usize,
    /// Capital given to its bots.
    #[schema(value_type = String)]
    pub capital: Decimal,
    /// Realized profit to date (all time), net of fees.
    #[schema(value_type = String)]
    pub realized_pnl: Decimal,
    /// Unrealized P&L now: holdings marked at each bot's last checked price, less their cost.
    #[schema(value_type = String)]
    pub unrealized_pnl: Decimal,
    /// Oldest first.
    pub points: Vec<PointResponse>,
    /// BTC buy-and-hold over the same points (PRO and MAX); `null` with
    /// `market_comparison_unavailable` saying why otherwise.
    pub market_comparison: Option<BenchmarkResponse>,
    /// `plan` (FREE: needs PRO), `exchange_unavailable`, `no_market`; `null` when present.
    pub market_comparison_unavailable: Option<String>,
}

impl From<&BookSeries> for BookSeriesResponse {
    fn from(b: &BookSeries) -> Self {
        Self {
            key: (&b.key).into(),
            bots: b.bots,
            capital: b.capital,
            realized_pnl: b.realized_pnl,
            unrealized_pnl: b.unrealized_pnl,
            points: b.points.iter().map(Into::into).collect(),
            market_comparison: b.comparison.as_ref().ok().map(Into::into),
            market_comparison_unavailable: b.comparison.as_ref().err().map(|why| why.code().to_owned()),
        }
    }
}

/// Whether the plan includes the market comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonStatus {
    /// PRO and MAX: each book carries BTC buy-and-hold.
    pub included: bool,
    /// Why not, in words.
    pub reason: Option<String>,
    /// The cheapest plan that includes it.
    pub upgrade_to: Option<Plan>,
}

impl ComparisonStatus {
    /// Included.
    pub fn included() -> Self {
        Self { included: true, reason: None, upgrade_to: None }
    }

    /// Not in the plan.
    pub fn not_in_plan(why: &ComparisonUnavailable) -> Self {
        let upgrade_to = match why {
            ComparisonUnavailable::NotInPlan { upgrade_to } => upgrade_to.map(Into::into),
            _ => None,
        };
        let reason = match upgrade_to {
            Some(plan) => {
                format!("the market comparison needs the {} plan", serde_json::json!(plan).as_str().unwrap_or("PRO"))
            }
            None => "the plan does not include the market comparison".to_owned(),
        };
        Self { included: false, reason: Some(reason), upgrade_to }
    }
}

/// A trade as the metrics show it (best, worst).
#[derive(Debug, Serialize, ToSchema)]
pub struct TradeResponse {
    /// The position's id.
    pub id: String,
    /// The market.
    pub symbol: String,
    /// Realized profit, net of fees.
    #[schema(value_type = String)]
    pub realized_profit: Decimal,
    /// Opened.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: OffsetDateTime,
    /// Closed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub closed_at: OffsetDateTime,
}

impl From<&ClosedTrade> for TradeResponse {
    fn from(t: &ClosedTrade) -> Self {
        Self {
            id: t.id.clone(),
            symbol: t.symbol.clone(),
            realized_profit: t.realized_profit,
            opened_at: t.opened_at,
            closed_at: t.closed_at,
        }
    }
}

/// The value of `figure`, noting its reason under `name` in `unavailable` when it has none.
pub fn value<T: Clone>(figure: &Figure<T>, name: &str, unavailable: &mut BTreeMap<String, String>) -> Option<T> {
    match figure {
        Ok(v) => Some(v.clone()),
        Err(why) => {
            unavailable.insert(name.to_owned(), why.as_str().to_owned());
            None
        }
    }
}
