//! One market as a cycle sees it: read once per (exchange, mode, symbol) and shared by every bot
//! of that market.

use std::sync::Arc;

use domain::bots::{Bot, BotConfig, MarketView};
use domain::contexts::ContextMode;
use domain::exchange::{ExchangeGateway, ExchangeId};
use domain::indicators::{Indicator, Volatility};
use domain::market::{Candle, CandleRange, Market, Symbol, Ticker, Timeframe};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

use crate::exchanges::ExchangeDirectory;

/// Which market: exchange, live or paper, symbol.
pub type MarketKey = (ExchangeId, ContextMode, Symbol);

/// The key of `bot`'s market.
pub fn key_of(bot: &Bot) -> MarketKey {
    (bot.exchange, bot.mode, bot.symbol.clone())
}

/// A market read for one cycle.
#[derive(Clone, Debug)]
pub struct MarketSnapshot {
    /// Filters and trading status.
    pub market: Market,
    /// Latest prices.
    pub ticker: Ticker,
    /// Closed candles of one timeframe, oldest first, when a bot needs them.
    pub candles: Option<(Timeframe, Vec<Candle>)>,
    /// Volatility of the last 20 hourly returns, %, when a bot uses adaptive sell.
    pub volatility_percent: Option<Decimal>,
}

impl MarketSnapshot {
    /// Reads `key`'s market for `bots` (candles only when one of them needs them).
    pub async fn read(
        exchanges: &ExchangeDirectory,
        key: &MarketKey,
        bots: &[Bot],
        timeframe: Option<Timeframe>,
    ) -> Result<(Arc<dyn ExchangeGateway>, Self), crate::AppError> {
        let (exchange, mode, symbol) = key;
        let gateway = exchanges.gateway(*exchange, *mode)?;
        let err = crate::exchanges::exchange_error;
        let market = gateway.market(symbol).await.map_err(err)?;
        let ticker = gateway.ticker(symbol).await.map_err(err)?;
        let candles = match timeframe {
            Some(tf) => Some((tf, gateway.candles(symbol, tf, CandleRange::latest(300)).await.map_err(err)?)),
            None => None,
        };
        let adaptive = bots.iter().any(|b| b.config.risk().adaptive_sell.is_some());
        let volatility_percent = if adaptive {
            let hourly = gateway.candles(symbol, Timeframe::H1, CandleRange::latest(40)).await.map_err(err)?;
            volatility(&hourly)
        } else {
            None
        };
        Ok((gateway, Self { market, ticker, candles, volatility_percent }))
    }

    /// The view a bot evaluates against.
    pub fn view(&self) -> MarketView<'_> {
        MarketView {
            price: self.ticker.last,
            bid: self.ticker.bid,
            ask: self.ticker.ask,
            filters: &self.market.filters,
            trading: self.market.trading,
            volatility_percent: self.volatility_percent,
            candles: self.candles.as_ref().map(|(_, c)| c.as_slice()),
        }
    }
}

/// The timeframe a candle bot analyses, if any.
pub fn timeframe_of(config: &BotConfig) -> Option<Timeframe> {
    let _ = config;
    None
}

fn volatility(candles: &[Candle]) -> Option<Decimal> {
    let mut v = Volatility::new(Volatility::DEFAULT_PERIOD).ok()?;
    let last = candles.iter().filter_map(|c| v.update(c)).last()?;
    Decimal::from_f64(last * 100.0).map(|d| d.round_dp(6))
}
