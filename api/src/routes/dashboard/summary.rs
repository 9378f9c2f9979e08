//! `GET /api/dashboard/summary`: the caller's figures per mode and quote currency (never
//! converted into each other), per strategy and per context, with the prices their open
//! positions were marked at.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use application::dashboard::{
    ContextSummary, CurrencySummary, Figures, MarketKey, MarketPrice, Summary, PRICE_SOURCE, SUMMARY_TTL,
};
use domain::bots::BotKind;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::TAG;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::wire::{Exchange, TradingMode};
use crate::state::AppState;

/// What the answer says of currencies, in `note`.
pub const NOTE: &str = "Money figures are per quote currency and per mode: botfleet has no exchange rate, so it never \
     converts one currency into another (BRL and USDT are never added together), and live and paper figures are never \
     summed.";

/// A market held but not priced, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnpricedMarket {
    /// Exchange.
    pub exchange: Exchange,
    /// Live or paper.
    pub mode: TradingMode,
    /// `BASE-QUOTE`.
    #[schema(example = "BTC-BRL")]
    pub symbol: String,
    /// Why its price could not be read.
    pub reason: String,
}

/// The figures of a set of bots, all in one quote currency and one mode.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryFigures {
    /// Capital allocated to the bots (Σ `funds.allocated`).
    #[schema(value_type = String, example = "5000")]
    pub total_invested: Decimal,
    /// Cost basis of what they hold, fees included (Σ `funds.invested`).
    #[schema(value_type = String, example = "3200")]
    pub total_in_positions: Decimal,
    /// Realized P&L net of fees (Σ `funds.realized_profit`).
    #[schema(value_type = String, example = "450")]
    pub realized_pnl: Decimal,
    /// Σ (quantity held × last price − cost basis) over the markets held; `null` when one of
    /// them could not be priced (listed in `unpriced_markets`).
    #[schema(value_type = Option<String>, example = "120")]
    pub unrealized_pnl: Option<Decimal>,
    /// The markets held whose price could not be read (empty when `unrealized_pnl` is set).
    pub unpriced_markets: Vec<UnpricedMarket>,
    /// Fees paid in the quote currency (Σ `funds.fees_quote`).
    #[schema(value_type = String, example = "12.5")]
    pub fees_paid: Decimal,
    /// Fees paid in base assets, by asset (Σ `funds.fees_base`), e.g. `{"BTC": "0.00001"}`.
    #[schema(value_type = BTreeMap<String, String>)]
    pub fees_paid_base: BTreeMap<String, Decimal>,
    /// `winning_trades / trades × 100`, 2 places; `null` without trades.
    #[schema(value_type = Option<String>, example = "65.50")]
    pub win_rate: Option<Decimal>,
    /// Closed trades (positions sold).
    pub trades: u64,
    /// Closed trades whose realized profit, net of fees, is above zero.
    pub winning_trades: u64,
    /// Bots.
    pub bots: u64,
    /// Bots running.
    pub active_bots: u64,
    /// Open orders (pending, new, partially filled), the bots' and manual ones.
    pub pending_orders: u64,
}

fn unpriced(market: &MarketKey, prices: &[MarketPrice]) -> UnpricedMarket {
    let reason = prices.iter().find(|p| &p.market == market).and_then(|p| p.price.clone().err());
    UnpricedMarket {
        exchange: market.exchange.into(),
        mode: market.mode.into(),
        symbol: market.symbol.to_string(),
        reason: reason.unwrap_or_else(|| "no price was read".into()),
    }
}

impl SummaryFigures {
    fn of(f: &Figures, prices: &[MarketPrice]) -> Self {
        Self {
            total_invested: f.total_invested.normalize(),
            total_in_positions: f.total_in_positions.normalize(),
            realized_pnl: f.realized_pnl.normalize(),
            unrealized_pnl: f.unrealized_pnl.map(|v| v.normalize()),
            unpriced_markets: f.unpriced_markets.iter().map(|m| unpriced(m, prices)).collect(),
            fees_paid: f.fees_paid.normalize(),
            fees_paid_base: f.fees_paid_base.iter().map(|(k, v)| (k.clone(), v.normalize())).collect(),
            win_rate: f.win_rate,
            trades: f.trades,
            winning_trades: f.winning_trades,
            bots: f.bots,
            active_bots: f.active_bots,
            pending_orders: f.pending_orders,
        }
    }
}

/// The figures of each strategy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceByStrategy {
    /// SmartBots.
    pub smart: SummaryFigures,
    /// Candle bots.
    pub candle: SummaryFigures,
    /// DCA bots.
    pub dca: SummaryFigures,
    /// Channel bots.
    pub channel: SummaryFigures,
}

/// The summary of one mode and quote currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencySummaryResponse {
    /// Live or paper.
    pub mode: TradingMode,
    /// The currency every money figure here is in.
    #[schema(example = "BRL")]
    pub quote_currency: String,
    /// All its bots and orders.
    pub summary: SummaryFigures,
    /// The same figures per strategy.
    pub performance_by_strategy: PerformanceByStrategy,
}

impl CurrencySummaryResponse {
    fn of(c: &CurrencySummary, prices: &[MarketPrice]) -> Self {
        let by: BTreeMap<BotKind, &Figures> = c.by_strategy.iter().map(|(k, f)| (*k, f)).collect();
        let empty = Figures::default();
        let of = |kind| SummaryFigures::of(by.get(&kind).copied().unwrap_or(&empty), prices);
        Self {
            mode: c.mode.into(),
            quote_currency: c.quote.clone(),
            summary: SummaryFigures::of(&c.figures, prices),
            performance_by_strategy: PerformanceByStrategy {
                smart: of(BotKind::Smart),
                candle: of(BotKind::Candle),
                dca: of(BotKind::Dca),
                channel: of(BotKind::Channel),
            },
        }
    }
}

/// The summary of one trading context.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextSummaryResponse {
    /// The context's id.
    pub context_id: String,
    /// Exchange.
    pub exchange: Exchange,
    /// `BASE-QUOTE`.
    #[schema(example = "BTC-BRL")]
    pub symbol: String,
    /// Live or paper.
    pub mode: TradingMode,
    /// The currency every money figure here is in (the symbol's quote).
    #[schema(example = "BRL")]
    pub quote_currency: String,
    /// Its bots and orders.
    pub summary: SummaryFigures,
}

impl ContextSummaryResponse {
    fn of(c: &ContextSummary, prices: &[MarketPrice]) -> Self {
        Self {
            context_id: c.context.to_string(),
            exchange: c.exchange.into(),
            symbol: c.symbol.to_string(),
            mode: c.mode.into(),
            quote_currency: c.symbol.quote().as_str().to_owned(),
            summary: SummaryFigures::of(&c.figures, prices),
        }
    }
}

/// The price a held market was marked at.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkPrice {
    /// Exchange.
    pub exchange: Exchange,
    /// Live or paper.
    pub mode: TradingMode,
    /// `BASE-QUOTE`.
    #[schema(example = "BTC-BRL")]
    pub symbol: String,
    /// The ticker's price, in the quote currency; `null` when it could not be read.
    #[schema(value_type = Option<String>, example = "350000")]
    pub price: Option<Decimal>,
    /// Which ticker price: always `last` (the last traded price).
    #[schema(example = "last")]
    pub source: &'static str,
    /// When the exchange says the price was current; `null` when none was read.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub exchange_time: Option<OffsetDateTime>,
    /// When botfleet read it (for this answer: prices are never cached by the summary).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub read_at: OffsetDateTime,
    /// Why it could not be read; `null` when it was.
    pub error: Option<String>,
}

impl From<&MarketPrice> for MarkPrice {
    fn from(p: &MarketPrice) -> Self {
        Self {
            exchange: p.market.exchange.into(),
            mode: p.market.mode.into(),
            symbol: p.market.symbol.to_string(),
            price: p.price.as_ref().ok().map(|v| v.normalize()),
            source: PRICE_SOURCE,
            exchange_time: p.exchange_at,
            read_at: p.read_at,
            error: p.price.clone().err(),
        }
    }
}

/// The caller's dashboard summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryResponse {
    /// When the figures were computed from the stored bots and orders (cached up to
    /// `cache_ttl_seconds`, recomputed sooner when a fill lands). Prices and unrealized P&L are
    /// read for every answer: see `prices[].read_at`.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub as_of: OffsetDateTime,
    /// How long figures may be served from the cache, in seconds.
    #[schema(example = 60)]
    pub cache_ttl_seconds: i64,
    /// Always `false`: no figure converts one currency into another.
    pub currencies_converted: bool,
    /// Why figures come per currency and per mode.
    pub note: &'static str,
    /// Per mode and quote currency (live first); none without bots.
    pub currencies: Vec<CurrencySummaryResponse>,
    /// Per trading context, oldest first (contexts without bots too).
    pub contexts: Vec<ContextSummaryResponse>,
    /// The price of every market the bots hold something in, as read for this answer.
    pub prices: Vec<MarkPrice>,
}

impl From<Summary> for SummaryResponse {
    fn from(s: Summary) -> Self {
        Self {
            as_of: s.as_of,
            cache_ttl_seconds: SUMMARY_TTL.whole_seconds(),
            currencies_converted: false,
            note: NOTE,
            currencies: s.currencies.iter().map(|c| CurrencySummaryResponse::of(c, &s.prices)).collect(),
            contexts: s.contexts.iter().map(|c| ContextSummaryResponse::of(c, &s.prices)).collect(),
            prices: s.prices.iter().map(MarkPrice::from).collect(),
        }
    }
}

/// The caller's summary: per mode and quote currency (never converted into each other), total
/// invested, in positions, realized and unrealized P&L, fees, win rate, trades, active bots and
/// pending orders, per strategy and per context. Figures from the stores are cached for 60 s per
/// user (dropped when a fill lands); open positions are marked at the last price read now, and a
/// market that cannot be priced makes its unrealized P&L `null` with the reason, never an error.
/// Formulas: docs/dashboard.md.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "The summary", body = SummaryResponse))
)]
#[get("/api/dashboard/summary")]
pub async fn dashboard_summary(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let summary = state.dashboard.summary(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(SummaryResponse::from(summary)))
}
