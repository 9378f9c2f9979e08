//! `/api/exchanges` and `/api/market`: supported exchanges, their pairs, and public market data
//! (ticker, candles, order book). `?mode=paper` reads the paper exchange's simulated market
//! instead of the real one (the default, `live`). No credential is needed.

use actix_web::{get, web, HttpResponse};
use application::FieldError;
use domain::contexts::ContextMode;
use domain::market::{Candle, Market};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::wire::{Exchange, TradingMode};
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "market";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Supported exchanges and public market data (live, or the paper exchange's simulation).",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_exchanges)
        .service(list_symbols)
        .service(list_pairs)
        .service(ticker)
        .service(candles)
        .service(order_book);
}

/// Which market to read.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ModeQuery {
    /// `live` (default) or `paper`.
    #[param(value_type = Option<TradingMode>)]
    pub mode: Option<String>,
}

impl ModeQuery {
    fn mode(&self) -> Result<ContextMode, ApiError> {
        match self.mode.as_deref() {
            None => Ok(ContextMode::Live),
            Some(raw) => raw.parse().map_err(|e: domain::contexts::UnknownContextMode| {
                ApiError::validation(vec![FieldError::new("mode", application::FieldCode::Invalid, e.to_string())])
            }),
        }
    }
}

/// An exchange this server trades on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeResponse {
    /// `binance` or `mercado_bitcoin`.
    pub exchange: Exchange,
    /// Candle timeframes it serves (`1m`, `1h`, ...).
    pub timeframes: Vec<domain::market::Timeframe>,
    /// Whether advanced indicators (VWAP, MFI, volume profile, ATR, OBV) apply to its contexts.
    pub advanced_indicators: bool,
    /// `live` and/or `paper`.
    pub modes: Vec<TradingMode>,
}

/// Every exchange.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExchangeList {
    /// Exchanges.
    pub items: Vec<ExchangeResponse>,
}

/// A market and its trading filters. Decimals are strings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairResponse {
    /// `BASE-QUOTE`.
    #[schema(example = "BTC-BRL")]
    pub symbol: String,
    /// Open for trading.
    pub trading: bool,
    /// Price increment.
    #[schema(value_type = String)]
    pub tick_size: Decimal,
    /// Quantity increment.
    #[schema(value_type = String)]
    pub step_size: Decimal,
    /// Smallest quantity.
    #[schema(value_type = String)]
    pub min_quantity: Decimal,
    /// Smallest order value in the quote asset.
    #[schema(value_type = String)]
    pub min_notional: Decimal,
}

impl From<Market> for PairResponse {
    fn from(m: Market) -> Self {
        Self {
            symbol: m.symbol.to_string(),
            trading: m.trading,
            tick_size: m.filters.tick_size,
            step_size: m.filters.step_size,
            min_quantity: m.filters.min_quantity,
            min_notional: m.filters.min_notional,
        }
    }
}

/// Markets of one exchange.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairList {
    /// Exchange.
    pub exchange: String,
    /// `live` or `paper`.
    pub mode: TradingMode,
    /// Markets.
    pub items: Vec<PairResponse>,
}

/// A symbol and the exchanges that list it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SymbolResponse {
    /// `BASE-QUOTE`.
    pub symbol: String,
    /// Exchanges listing it.
    pub exchanges: Vec<String>,
}

/// Every symbol across exchanges.
#[derive(Debug, Serialize, ToSchema)]
pub struct SymbolList {
    /// Sorted by symbol.
    pub items: Vec<SymbolResponse>,
}

/// Latest prices.
#[derive(Debug, Serialize, ToSchema)]
pub struct TickerResponse {
    /// `BASE-QUOTE`.
    pub symbol: String,
    /// Last trade price.
    #[schema(value_type = String)]
    pub last: Decimal,
    /// Best bid.
    #[schema(value_type = String)]
    pub bid: Decimal,
    /// Best ask.
    #[schema(value_type = String)]
    pub ask: Decimal,
    /// 24-hour base volume.
    #[schema(value_type = String)]
    pub volume_24h: Decimal,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// One candle.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandleResponse {
    /// Open time.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub open_time: OffsetDateTime,
    /// Open.
    #[schema(value_type = String)]
    pub open: Decimal,
    /// High.
    #[schema(value_type = String)]
    pub high: Decimal,
    /// Low.
    #[schema(value_type = String)]
    pub low: Decimal,
    /// Close.
    #[schema(value_type = String)]
    pub close: Decimal,
    /// Base volume.
    #[schema(value_type = String)]
    pub volume: Decimal,
}

impl From<Candle> for CandleResponse {
    fn from(c: Candle) -> Self {
        Self { open_time: c.open_time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }
    }
}

/// Candles, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandleList {
    /// Timeframe.
    pub timeframe: String,
    /// Candles.
    pub items: Vec<CandleResponse>,
}

/// One book level.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelResponse {
    /// Price.
    #[schema(value_type = String)]
    pub price: Decimal,
    /// Quantity.
    #[schema(value_type = String)]
    pub quantity: Decimal,
}

/// The order book.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderBookResponse {
    /// `BASE-QUOTE`.
    pub symbol: String,
    /// Best first (descending).
    pub bids: Vec<LevelResponse>,
    /// Best first (ascending).
    pub asks: Vec<LevelResponse>,
}

/// Candle query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CandleQuery {
    /// One of the exchange's timeframes (`GET /api/exchanges`), e.g. `1h`.
    #[param(value_type = domain::market::Timeframe)]
    pub timeframe: String,
    /// How many, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// `live` (default) or `paper`.
    #[param(value_type = Option<TradingMode>)]
    pub mode: Option<String>,
}

/// Order book query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DepthQuery {
    /// Levels a side, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub depth: Option<u32>,
    /// `live` (default) or `paper`.
    #[param(value_type = Option<TradingMode>)]
    pub mode: Option<String>,
}

/// Supported exchanges, their timeframes and whether advanced indicators apply. Public.
#[utoipa::path(tag = TAG, responses((status = 200, description = "Exchanges", body = ExchangeList)))]
#[get("/api/exchanges")]
pub async fn list_exchanges(state: web::Data<AppState>) -> HttpResponse {
    let items = state
        .market
        .exchanges()
        .into_iter()
        .map(|e| ExchangeResponse {
            exchange: e.exchange.into(),
            timeframes: e.timeframes,
            advanced_indicators: e.advanced_indicators,
            modes: e.modes.into_iter().map(Into::into).collect(),
        })
        .collect();
    HttpResponse::Ok().json(ExchangeList { items })
}

/// Every symbol across exchanges, with the exchanges that list it. Public.
#[utoipa::path(
    tag = TAG,
    params(ModeQuery),
    responses(
        (status = 200, description = "Symbols", body = SymbolList),
    )
)]
#[get("/api/exchanges/symbols")]
pub async fn list_symbols(state: web::Data<AppState>, query: Query<ModeQuery>) -> Result<HttpResponse, ApiError> {
    let mode = query.mode()?;
    let mut by_symbol = std::collections::BTreeMap::<String, Vec<String>>::new();
    for info in state.market.exchanges() {
        for market in state.market.pairs(info.exchange.as_str(), mode).await? {
            by_symbol.entry(market.symbol.to_string()).or_default().push(info.exchange.to_string());
        }
    }
    let items = by_symbol.into_iter().map(|(symbol, exchanges)| SymbolResponse { symbol, exchanges }).collect();
    Ok(HttpResponse::Ok().json(SymbolList { items }))
}

/// The markets of one exchange with their trading filters. Public.
#[utoipa::path(
    tag = TAG,
    params(("exchange" = String, Path, description = "`binance` or `mercado_bitcoin`"), ModeQuery),
    responses(
        (status = 200, description = "Markets", body = PairList),
    )
)]
#[get("/api/exchanges/{exchange}/pairs")]
pub async fn list_pairs(
    state: web::Data<AppState>,
    exchange: web::Path<String>,
    query: Query<ModeQuery>,
) -> Result<HttpResponse, ApiError> {
    let mode = query.mode()?;
    let markets = state.market.pairs(&exchange, mode).await?;
    Ok(HttpResponse::Ok().json(PairList {
        exchange: exchange.into_inner(),
        mode: mode.into(),
        items: markets.into_iter().map(PairResponse::from).collect(),
    }))
}

/// Latest prices of a market. Public.
#[utoipa::path(
    tag = TAG,
    params(("exchange" = String, Path, description = "Exchange"), ("symbol" = String, Path, description = "`BASE-QUOTE`"), ModeQuery),
    responses(
        (status = 200, description = "Ticker", body = TickerResponse),
    )
)]
#[get("/api/market/{exchange}/{symbol}/ticker")]
pub async fn ticker(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<ModeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (exchange, symbol) = path.into_inner();
    let t = state.market.ticker(&exchange, &symbol, query.mode()?).await?;
    Ok(HttpResponse::Ok().json(TickerResponse {
        symbol: t.symbol.to_string(),
        last: t.last,
        bid: t.bid,
        ask: t.ask,
        volume_24h: t.volume_24h,
        at: t.at,
    }))
}

/// The latest candles of a market, oldest first. Public.
#[utoipa::path(
    tag = TAG,
    params(("exchange" = String, Path, description = "Exchange"), ("symbol" = String, Path, description = "`BASE-QUOTE`"), CandleQuery),
    responses(
        (status = 200, description = "Candles", body = CandleList),
    )
)]
#[get("/api/market/{exchange}/{symbol}/candles")]
pub async fn candles(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<CandleQuery>,
) -> Result<HttpResponse, ApiError> {
    let (exchange, symbol) = path.into_inner();
    let mode = ModeQuery { mode: query.mode.clone() }.mode()?;
    let limit = query.limit.unwrap_or(100);
    let items = state.market.candles(&exchange, &symbol, &query.timeframe, limit, mode).await?;
    Ok(HttpResponse::Ok().json(CandleList {
        timeframe: query.timeframe.clone(),
        items: items.into_iter().map(CandleResponse::from).collect(),
    }))
}

/// The order book of a market. Public.
#[utoipa::path(
    tag = TAG,
    params(("exchange" = String, Path, description = "Exchange"), ("symbol" = String, Path, description = "`BASE-QUOTE`"), DepthQuery),
    responses(
        (status = 200, description = "Order book", body = OrderBookResponse),
    )
)]
#[get("/api/market/{exchange}/{symbol}/orderbook")]
pub async fn order_book(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<DepthQuery>,
) -> Result<HttpResponse, ApiError> {
    let (exchange, symbol) = path.into_inner();
    let mode = ModeQuery { mode: query.mode.clone() }.mode()?;
    let book = state.market.order_book(&exchange, &symbol, query.depth.unwrap_or(20), mode).await?;
    let levels = |ls: Vec<domain::market::BookLevel>| {
        ls.into_iter().map(|l| LevelResponse { price: l.price, quantity: l.quantity }).collect()
    };
    Ok(HttpResponse::Ok().json(OrderBookResponse {
        symbol: book.symbol.to_string(),
        bids: levels(book.bids),
        asks: levels(book.asks),
    }))
}
