//! Public market data: markets and their filters (`/symbols`), tickers, order books, candles.

use std::sync::PoisonError;

use domain::exchange::ExchangeError;
use domain::market::{Candle, CandleRange, Market, MarketFilters, OrderBook, Symbol, Ticker, Timeframe};
use reqwest::Method;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::client::decode;
use super::dto::{CandlesDto, Num, OrderBookDto, SymbolsDto, TickerDto};
use super::limiter::Endpoint;
use super::{mapping, MercadoBitcoin};

/// The candle resolutions Mercado Bitcoin serves that the domain knows (`3h` has no domain
/// timeframe).
pub const SERVED: [Timeframe; 6] =
    [Timeframe::M1, Timeframe::M15, Timeframe::H1, Timeframe::D1, Timeframe::W1, Timeframe::Mo1];

/// The timeframes of the catalogue Mercado Bitcoin does not serve, each built from a finer one it
/// does: 5m from 1m, 30m from 15m (`domain::market::aggregate`, complete buckets only).
pub const DERIVED: [(Timeframe, Timeframe); 2] = [(Timeframe::M5, Timeframe::M1), (Timeframe::M30, Timeframe::M15)];

/// Every timeframe the adapter offers, shortest first: the served ones and the derived ones.
pub const TIMEFRAMES: [Timeframe; 8] = [
    Timeframe::M1,
    Timeframe::M5,
    Timeframe::M15,
    Timeframe::M30,
    Timeframe::H1,
    Timeframe::D1,
    Timeframe::W1,
    Timeframe::Mo1,
];

/// The served timeframe `timeframe` is built from, when it is derived.
pub fn source_of(timeframe: Timeframe) -> Option<Timeframe> {
    DERIVED.iter().find(|(derived, _)| *derived == timeframe).map(|(_, source)| *source)
}

/// Quantity step when the exchange publishes none: quantities carry 8 decimal places.
pub const DEFAULT_STEP_SIZE: Decimal = Decimal::from_parts(1, 0, 0, false, 8);

/// Most candles asked for in one call.
pub const MAX_CANDLES: u32 = 1000;

/// Most book levels a side (documented maximum).
pub const MAX_DEPTH: u32 = 1000;

/// Price tick from `/symbols`: `minmovement` is either the tick itself (`"0.00000001"`) or, the
/// TradingView way, a count of `1/pricescale` units (`1`).
fn tick_size(minmovement: Option<Num>, pricescale: Option<Num>) -> Decimal {
    let scale = pricescale.map(|n| n.0).filter(|s| *s > Decimal::ZERO);
    match (minmovement.map(|n| n.0).filter(|m| *m > Decimal::ZERO), scale) {
        (Some(m), Some(s)) if m >= Decimal::ONE && m.fract().is_zero() => (m / s).normalize(),
        (Some(m), _) => m.normalize(),
        (None, Some(s)) => (Decimal::ONE / s).normalize(),
        (None, None) => DEFAULT_STEP_SIZE,
    }
}

/// The markets of a `/symbols` answer; rows whose symbol is not `BASE-QUOTE` are skipped.
pub(crate) fn markets_from(dto: &SymbolsDto) -> Vec<Market> {
    let at = |v: &Vec<Num>, i: usize| v.get(i).copied();
    let value = |v: &Vec<Num>, i: usize| at(v, i).map_or(Decimal::ZERO, |n| n.0);
    dto.symbol
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| {
            let symbol = Symbol::parse(raw).ok()?;
            let filters = MarketFilters {
                tick_size: tick_size(at(&dto.minmovement, i), at(&dto.pricescale, i)),
                step_size: DEFAULT_STEP_SIZE,
                min_quantity: value(&dto.min_volume, i),
                max_quantity: value(&dto.max_volume, i),
                min_notional: value(&dto.min_cost, i),
            };
            Some(Market { symbol, trading: dto.exchange_traded.get(i).copied().unwrap_or(true), filters })
        })
        .collect()
}

impl MercadoBitcoin {
    /// Every market, reread after `markets_ttl`.
    pub(crate) async fn read_markets(&self) -> Result<Vec<Market>, ExchangeError> {
        let now = self.clock.now();
        if let Some((read_at, markets)) = self.markets.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
            if now - *read_at < self.http.config().markets_ttl {
                return Ok(markets.clone());
            }
        }
        let body = self.public(Endpoint::Unmetered, None, self.http.request(Method::GET, "/symbols")).await?;
        let markets = markets_from(&decode::<SymbolsDto>(&body)?);
        *self.markets.lock().unwrap_or_else(PoisonError::into_inner) = Some((now, markets.clone()));
        Ok(markets)
    }

    /// One market. Errors: `UnknownSymbol`.
    pub(crate) async fn read_market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        let markets = self.read_markets().await?;
        markets.into_iter().find(|m| &m.symbol == symbol).ok_or_else(|| ExchangeError::UnknownSymbol(symbol.clone()))
    }

    /// The ticker. An empty answer or `INVALID_SYMBOL` is `UnknownSymbol`.
    pub(crate) async fn read_ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        let request = self.http.request(Method::GET, "/tickers").query(&[("symbols", symbol.to_string())]);
        let body = self.public(Endpoint::Tickers, Some(symbol), request).await?;
        let tickers: Vec<TickerDto> = decode(&body)?;
        let wanted = symbol.to_string();
        let dto = tickers
            .iter()
            .find(|t| t.pair.eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| ExchangeError::UnknownSymbol(symbol.clone()))?;
        Ok(mapping::ticker(symbol, dto, self.clock.now()))
    }

    /// The book to `depth` levels a side (1 to 1000).
    pub(crate) async fn read_order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError> {
        let depth = depth.clamp(1, MAX_DEPTH);
        let request =
            self.http.request(Method::GET, &format!("/{symbol}/orderbook")).query(&[("limit", depth.to_string())]);
        let body = self.public(Endpoint::OrderBook, Some(symbol), request).await?;
        let dto: OrderBookDto = decode(&body)?;
        Ok(OrderBook {
            symbol: symbol.clone(),
            bids: mapping::book_side(&dto.bids, true, depth as usize)?,
            asks: mapping::book_side(&dto.asks, false, depth as usize)?,
            at: mapping::book_time(&dto, self.clock.now()),
        })
    }

    /// Candles, oldest first. Unsupported timeframes are refused before any call; derived ones
    /// are built from their source (see [`DERIVED`]).
    pub(crate) async fn read_candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        if let Some(source) = source_of(timeframe) {
            return self.read_derived(symbol, timeframe, source, range).await;
        }
        if !SERVED.contains(&timeframe) {
            return Err(ExchangeError::UnsupportedTimeframe(timeframe));
        }
        let limit = range.limit.clamp(1, MAX_CANDLES);
        let to = range.end.unwrap_or_else(|| self.clock.now());
        let mut candles = self.read_served(symbol, timeframe, to, limit, range.start).await?;
        candles.retain(|c| range.start.is_none_or(|s| c.open_time >= s));
        let excess = candles.len().saturating_sub(limit as usize);
        candles.drain(..excess);
        Ok(candles)
    }

    /// One `/candles` call: up to `countback` candles of a served `timeframe` opening at or before
    /// `to` (and from `from`), oldest first.
    async fn read_served(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        to: OffsetDateTime,
        countback: u32,
        from: Option<OffsetDateTime>,
    ) -> Result<Vec<Candle>, ExchangeError> {
        let mut query = vec![
            ("symbol", symbol.to_string()),
            ("resolution", timeframe.as_str().to_owned()),
            ("to", to.unix_timestamp().to_string()),
            ("countback", countback.to_string()),
        ];
        if let Some(start) = from {
            query.push(("from", start.unix_timestamp().to_string()));
        }
        let request = self.http.request(Method::GET, "/candles").query(&query);
        let body = self.public(Endpoint::Candles, Some(symbol), request).await?;
        let mut candles = candles_from(&decode::<CandlesDto>(&body)?)?;
        candles.retain(|c| c.open_time <= to);
        Ok(candles)
    }

    /// `timeframe` candles built from `source` ones: enough source candles for `range.limit`
    /// buckets plus the unfinished one, read backwards in pages of [`MAX_CANDLES`], from the
    /// start of the bucket holding `range.start` when given.
    async fn read_derived(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        source: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        let limit = range.limit.clamp(1, MAX_CANDLES);
        let now = self.clock.now();
        let to = range.end.unwrap_or(now).min(now);
        let ratio = u32::try_from(timeframe.seconds() / source.seconds()).unwrap_or(1);
        let from = range.start.map(|s| domain::market::bucket_start(timeframe, s));
        // The first bucket is read whole: the source candles start on its boundary.
        let first = domain::market::bucket_start(timeframe, to)
            - time::Duration::seconds(timeframe.seconds() * i64::from(limit));
        let from = from.map_or(first, |f| f.max(first));
        let mut wanted = (limit + 1) * ratio;
        let mut cursor = to;
        let mut read: Vec<Candle> = Vec::new();
        while wanted > 0 {
            let page = self.read_served(symbol, source, cursor, wanted.min(MAX_CANDLES), Some(from)).await?;
            let Some(oldest) = page.first().map(|c| c.open_time) else { break };
            let full = page.len() as u32 >= wanted.min(MAX_CANDLES);
            wanted = wanted.saturating_sub(page.len() as u32);
            let known = read.first().map(|c| c.open_time);
            let older: Vec<Candle> = page.into_iter().filter(|c| known.is_none_or(|k| c.open_time < k)).collect();
            read.splice(0..0, older);
            if !full || oldest <= from {
                break;
            }
            cursor = oldest - time::Duration::seconds(1);
        }
        read.retain(|c| c.open_time >= from);
        // A bucket is complete once closed, and only as far as the read reaches: the source
        // candle holding `to` closes the horizon.
        let horizon = source.close_of(domain::market::bucket_start(source, to)).min(now);
        let mut candles = domain::market::aggregate(&read, source, timeframe, horizon)
            .map_err(|e| ExchangeError::unavailable(anyhow::anyhow!(e)))?;
        candles.retain(|c| range.start.is_none_or(|s| c.open_time >= s));
        let excess = candles.len().saturating_sub(limit as usize);
        candles.drain(..excess);
        Ok(candles)
    }
}

/// Column-oriented candles to rows, sorted oldest first.
pub(crate) fn candles_from(dto: &CandlesDto) -> Result<Vec<Candle>, ExchangeError> {
    let n = dto.t.len();
    if [dto.o.len(), dto.h.len(), dto.l.len(), dto.c.len(), dto.v.len()].iter().any(|len| *len != n) {
        return Err(ExchangeError::unavailable(anyhow::anyhow!("Mercado Bitcoin candle columns differ in length")));
    }
    let mut rows = (0..n)
        .map(|i| {
            let open_time = OffsetDateTime::from_unix_timestamp(dto.t[i]).map_err(ExchangeError::unavailable)?;
            Ok(Candle {
                open_time,
                open: dto.o[i].0,
                high: dto.h[i].0,
                low: dto.l[i].0,
                close: dto.c[i].0,
                volume: dto.v[i].0,
                quote_volume: None,
            })
        })
        .collect::<Result<Vec<_>, ExchangeError>>()?;
    rows.sort_by_key(|c| c.open_time);
    Ok(rows)
}

#[cfg(test)]
#[path = "tests/market_data_tests.rs"]
mod tests;
