//! Market data (no credentials): exchangeInfo (cached with a TTL), ticker, depth and klines.
//!
//! The ticker comes from one `GET /api/v3/ticker/24hr?symbol=…` (weight 2): it carries the last
//! price, best bid and ask and the 24 h volume together, where `bookTicker` plus `price` would
//! cost two calls and still lack the volume.

use std::sync::Arc;

use domain::exchange::ExchangeError;
use domain::market::{BookLevel, Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::client::{Call, Network};
use super::dto::{DepthDto, ExchangeInfoDto, KlineDto, Ticker24hDto, TickerPriceDto};
use super::mapping::{binance_name, time_from_ms, MarketCache};
use super::BinanceExchange;

/// Binance's most klines per call.
pub(crate) const MAX_KLINES: u32 = 1000;
/// Binance's deepest book per call.
pub(crate) const MAX_DEPTH: u32 = 5000;

/// The weight of `GET /api/v3/depth` for a limit.
pub(crate) fn depth_weight(limit: u32) -> u32 {
    match limit {
        0..=100 => 5,
        101..=500 => 25,
        501..=1000 => 50,
        _ => 250,
    }
}

impl BinanceExchange {
    /// The network's markets, from exchangeInfo (weight 20) when the cached copy is older than
    /// the TTL. One refresh at a time: concurrent callers wait for it.
    pub(crate) async fn market_cache(&self, net: &Network) -> Result<Arc<MarketCache>, ExchangeError> {
        let mut slot = net.markets.lock().await;
        if let Some(cache) = slot.as_ref() {
            if cache.fetched.elapsed() < self.config.markets_ttl {
                return Ok(cache.clone());
            }
        }
        let call = Call::get("/api/v3/exchangeInfo", 20);
        let info: ExchangeInfoDto = self.http.public(net, &call).await.map_err(|e| e.into_read_error(None))?;
        let cache = Arc::new(MarketCache::new(&info.symbols));
        *slot = Some(cache.clone());
        Ok(cache)
    }

    /// Drops the network's cached exchangeInfo, so the next read fetches it again.
    pub(crate) async fn forget_markets(&self, net: &Network) {
        *net.markets.lock().await = None;
    }

    /// One market of a network. Errors: `UnknownSymbol`.
    pub(crate) async fn find_market(&self, net: &Network, symbol: &Symbol) -> Result<Market, ExchangeError> {
        let cache = self.market_cache(net).await?;
        cache.market(symbol).cloned().ok_or_else(|| ExchangeError::UnknownSymbol(symbol.clone()))
    }

    pub(crate) async fn fetch_ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        let call = Call::get("/api/v3/ticker/24hr", 2).param("symbol", binance_name(symbol));
        let t: Ticker24hDto = self.http.public(&self.live, &call).await.map_err(|e| e.into_read_error(Some(symbol)))?;
        Ok(Ticker {
            symbol: symbol.clone(),
            last: t.last_price.normalize(),
            bid: t.bid_price.normalize(),
            ask: t.ask_price.normalize(),
            volume_24h: t.volume.normalize(),
            at: time_from_ms(t.close_time).unwrap_or_else(OffsetDateTime::now_utc),
        })
    }

    /// The last traded price (`GET /api/v3/ticker/price`, weight 2), to check a market order
    /// sized by quantity against the minimum notional.
    pub(crate) async fn last_price(&self, net: &Network, symbol: &Symbol) -> Result<Decimal, ExchangeError> {
        let call = Call::get("/api/v3/ticker/price", 2).param("symbol", binance_name(symbol));
        let t: TickerPriceDto = self.http.public(net, &call).await.map_err(|e| e.into_read_error(Some(symbol)))?;
        Ok(t.price)
    }

    pub(crate) async fn fetch_order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError> {
        let limit = depth.clamp(1, MAX_DEPTH);
        let call =
            Call::get("/api/v3/depth", depth_weight(limit)).param("symbol", binance_name(symbol)).param("limit", limit);
        let book: DepthDto = self.http.public(&self.live, &call).await.map_err(|e| e.into_read_error(Some(symbol)))?;
        let levels = |side: Vec<(Decimal, Decimal)>| {
            side.into_iter()
                .take(limit as usize)
                .map(|(price, quantity)| BookLevel { price: price.normalize(), quantity: quantity.normalize() })
                .collect()
        };
        Ok(OrderBook {
            symbol: symbol.clone(),
            bids: levels(book.bids),
            asks: levels(book.asks),
            at: OffsetDateTime::now_utc(),
        })
    }

    pub(crate) async fn fetch_candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        let ms = |t: OffsetDateTime| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let call = Call::get("/api/v3/klines", 2)
            .param("symbol", binance_name(symbol))
            .param("interval", timeframe.as_str())
            .opt_param("startTime", range.start.map(ms))
            .opt_param("endTime", range.end.map(ms))
            .param("limit", range.limit.clamp(1, MAX_KLINES));
        let rows: Vec<KlineDto> =
            self.http.public(&self.live, &call).await.map_err(|e| e.into_read_error(Some(symbol)))?;
        let mut candles: Vec<Candle> = rows
            .into_iter()
            .filter_map(|(open_ms, open, high, low, close, volume, _, quote_volume, ..)| {
                Some(Candle {
                    open_time: time_from_ms(open_ms)?,
                    open: open.normalize(),
                    high: high.normalize(),
                    low: low.normalize(),
                    close: close.normalize(),
                    volume: volume.normalize(),
                    quote_volume: Some(quote_volume.normalize()),
                })
            })
            .collect();
        // Binance answers oldest first; sorting keeps the port's promise whatever happens upstream.
        candles.sort_by_key(|c| c.open_time);
        Ok(candles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_weights_follow_the_documented_steps() {
        assert_eq!([1, 100, 101, 500, 501, 1000, 1001, 5000].map(depth_weight), [5, 5, 25, 25, 50, 50, 250, 250]);
    }
}
