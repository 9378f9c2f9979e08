//! Market data use cases: supported exchanges, their pairs, tickers, candles and order books.
//! Public data needs no credential; `mode` picks the real exchange or its paper simulation.

use std::sync::Arc;

use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::market::{Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};

use crate::exchanges::{exchange_error, ExchangeDirectory, ExchangeFailure};
use crate::{FieldCode, FieldError};

/// The largest candle page.
pub const MAX_CANDLES: u32 = 1_000;
/// The deepest order book.
pub const MAX_DEPTH: u32 = 100;

/// What an exchange offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeInfo {
    /// The exchange.
    pub exchange: ExchangeId,
    /// Candle timeframes it serves.
    pub timeframes: Vec<Timeframe>,
    /// Whether advanced indicators (VWAP, MFI, volume profile, ATR, OBV) apply to its contexts.
    pub advanced_indicators: bool,
    /// Modes available on this server.
    pub modes: Vec<ContextMode>,
}

/// Market data.
#[derive(Debug)]
pub struct MarketService {
    exchanges: Arc<ExchangeDirectory>,
}

/// Why market data cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum MarketDataError {
    /// No such exchange.
    #[error("exchange not found")]
    UnknownExchange,
    /// Fields break the rules, each named (a symbol, a timeframe, a limit or depth).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The exchange is not set up in this mode here, cannot be reached, or refused a field.
    #[error(transparent)]
    Exchange(#[from] ExchangeFailure),
}

fn field(name: &str, code: FieldCode, message: String) -> MarketDataError {
    MarketDataError::Invalid(vec![FieldError::new(name, code, message)])
}

fn parse_exchange(raw: &str) -> Result<ExchangeId, MarketDataError> {
    raw.parse::<ExchangeId>().map_err(|_| MarketDataError::UnknownExchange)
}

fn parse_symbol(raw: &str) -> Result<Symbol, MarketDataError> {
    Symbol::parse(&raw.to_ascii_uppercase()).map_err(|e| field("symbol", FieldCode::InvalidSymbol, e.to_string()))
}

impl MarketService {
    /// Market data over `exchanges`.
    pub fn new(exchanges: Arc<ExchangeDirectory>) -> Self {
        Self { exchanges }
    }

    /// Every exchange this server reaches.
    pub fn exchanges(&self) -> Vec<ExchangeInfo> {
        self.exchanges
            .exchanges()
            .into_iter()
            .map(|exchange| {
                let modes: Vec<ContextMode> = [ContextMode::Live, ContextMode::Paper]
                    .into_iter()
                    .filter(|m| self.exchanges.gateway(exchange, *m).is_ok())
                    .collect();
                let timeframes = modes
                    .first()
                    .and_then(|m| self.exchanges.gateway(exchange, *m).ok())
                    .map(|g| g.timeframes())
                    .unwrap_or_default();
                ExchangeInfo { exchange, timeframes, advanced_indicators: exchange == ExchangeId::Binance, modes }
            })
            .collect()
    }

    /// The markets of `exchange`.
    pub async fn pairs(&self, exchange: &str, mode: ContextMode) -> Result<Vec<Market>, MarketDataError> {
        let gateway = self.exchanges.gateway(parse_exchange(exchange)?, mode)?;
        Ok(gateway.markets().await.map_err(exchange_error)?)
    }

    /// The latest prices of `symbol`.
    pub async fn ticker(&self, exchange: &str, symbol: &str, mode: ContextMode) -> Result<Ticker, MarketDataError> {
        let gateway = self.exchanges.gateway(parse_exchange(exchange)?, mode)?;
        Ok(gateway.ticker(&parse_symbol(symbol)?).await.map_err(exchange_error)?)
    }

    /// The latest `limit` candles of `timeframe`, oldest first.
    pub async fn candles(
        &self,
        exchange: &str,
        symbol: &str,
        timeframe: &str,
        limit: u32,
        mode: ContextMode,
    ) -> Result<Vec<Candle>, MarketDataError> {
        let gateway = self.exchanges.gateway(parse_exchange(exchange)?, mode)?;
        let symbol = parse_symbol(symbol)?;
        let tf = timeframe
            .parse::<Timeframe>()
            .map_err(|e| field("timeframe", FieldCode::InvalidTimeframe, e.to_string()))?;
        if !gateway.timeframes().contains(&tf) {
            let offered: Vec<&str> = gateway.timeframes().into_iter().map(Timeframe::as_str).collect();
            return Err(field(
                "timeframe",
                FieldCode::UnsupportedTimeframe,
                format!("{tf} is not offered by this exchange; it offers {}", offered.join(", ")),
            ));
        }
        if limit == 0 || limit > MAX_CANDLES {
            return Err(field("limit", FieldCode::Range, format!("must be 1 to {MAX_CANDLES}")));
        }
        Ok(gateway.candles(&symbol, tf, CandleRange::latest(limit)).await.map_err(exchange_error)?)
    }

    /// The order book to `depth` levels a side.
    pub async fn order_book(
        &self,
        exchange: &str,
        symbol: &str,
        depth: u32,
        mode: ContextMode,
    ) -> Result<OrderBook, MarketDataError> {
        if depth == 0 || depth > MAX_DEPTH {
            return Err(field("depth", FieldCode::Range, format!("must be 1 to {MAX_DEPTH}")));
        }
        let gateway = self.exchanges.gateway(parse_exchange(exchange)?, mode)?;
        Ok(gateway.order_book(&parse_symbol(symbol)?, depth).await.map_err(exchange_error)?)
    }
}
