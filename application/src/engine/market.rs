//! One market as a cycle sees it: read once per (exchange, mode, symbol) and shared by every bot
//! of that market.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use domain::bots::{Bot, BotConfig, MarketView};
use domain::contexts::ContextMode;
use domain::exchange::{ExchangeGateway, ExchangeId};
use domain::indicators::{Columns, Indicator, Volatility};
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
    /// Candles of each timeframe a bot of the market analyses, oldest first.
    pub candles: BTreeMap<Timeframe, Vec<Candle>>,
    /// The same candles as `f64` columns, converted on first use (by the first candle bot that
    /// analyses) and shared by every candle bot of the market; never, when none analyses.
    pub columns: BTreeMap<Timeframe, OnceLock<Columns>>,
    /// Volatility of the last 20 hourly returns, %, when a bot uses adaptive sell.
    pub volatility_percent: Option<Decimal>,
}

impl MarketSnapshot {
    /// Reads `key`'s market for `bots` (candles only when one of them needs them).
    pub async fn read(
        exchanges: &ExchangeDirectory,
        key: &MarketKey,
        bots: &[Bot],
    ) -> Result<(Arc<dyn ExchangeGateway>, Self), crate::AppError> {
        let (exchange, mode, symbol) = key;
        let gateway = exchanges.gateway(*exchange, *mode)?;
        let err = crate::exchanges::exchange_error;
        let market = gateway.market(symbol).await.map_err(err)?;
        let ticker = gateway.ticker(symbol).await.map_err(err)?;
        let mut candles = BTreeMap::new();
        for tf in bots.iter().filter_map(|b| timeframe_of(&b.config)).collect::<BTreeSet<_>>() {
            candles.insert(tf, gateway.candles(symbol, tf, CandleRange::latest(CANDLES)).await.map_err(err)?);
        }
        let adaptive = bots.iter().any(|b| b.config.risk().adaptive_sell.is_some());
        let volatility_percent = if adaptive {
            let hourly = gateway.candles(symbol, Timeframe::H1, CandleRange::latest(40)).await.map_err(err)?;
            volatility(&hourly)
        } else {
            None
        };
        Ok((gateway, Self::new(market, ticker, candles, volatility_percent)))
    }

    /// A snapshot of what was read (the candles' columns are converted on first use).
    pub fn new(
        market: Market,
        ticker: Ticker,
        candles: BTreeMap<Timeframe, Vec<Candle>>,
        volatility_percent: Option<Decimal>,
    ) -> Self {
        let columns = candles.keys().map(|tf| (*tf, OnceLock::new())).collect();
        Self { market, ticker, candles, columns, volatility_percent }
    }

    /// The view `bot` evaluates against (with the candles of its timeframe).
    pub fn view_for(&self, bot: &Bot) -> MarketView<'_> {
        let timeframe = timeframe_of(&bot.config);
        let candles = timeframe.and_then(|tf| self.candles.get(&tf)).map(Vec::as_slice);
        let columns = timeframe.and_then(|tf| self.columns.get(&tf));
        MarketView { candles, columns, ..self.view() }
    }

    /// The view without candles.
    pub fn view(&self) -> MarketView<'_> {
        MarketView {
            price: self.ticker.last,
            bid: self.ticker.bid,
            ask: self.ticker.ask,
            filters: &self.market.filters,
            trading: self.market.trading,
            volatility_percent: self.volatility_percent,
            candles: None,
            columns: None,
            account_quote: None,
        }
    }
}

/// The timeframe a candle bot analyses or a channel bot's window watches, if any.
pub fn timeframe_of(config: &BotConfig) -> Option<Timeframe> {
    match config {
        BotConfig::Candle(c) => Some(c.timeframe),
        BotConfig::Channel(c) => c.window.map(|w| w.timeframe),
        _ => None,
    }
}

/// Candles read per timeframe: enough for the slowest indicator's warm-up (at most 1000).
const CANDLES: u32 = 300;

fn volatility(candles: &[Candle]) -> Option<Decimal> {
    let mut v = Volatility::new(Volatility::DEFAULT_PERIOD).ok()?;
    let last = candles.iter().filter_map(|c| v.update(c)).last()?;
    Decimal::from_f64(last * 100.0).map(|d| d.round_dp(6))
}
