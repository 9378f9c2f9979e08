//! The bench's exchange: a deterministic stand-in for the paper exchange that lists as many
//! markets as the bench asks for (the paper exchange lists only BTC and ETH against BRL and USDT,
//! five markets in all). Prices follow a slow wave around each market's level, driven by the
//! injected clock; candles add slower swings, wicks and volume spikes (see [`candle_price`]);
//! market orders fill at once at the ask or bid without fees, limit orders rest.
//! It does just enough for `Engine::run` to place, fill and cancel; it is not a simulation.

use std::collections::HashMap;
use std::f64::consts::TAU;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder,
    ExchangeOrderStatus, Fill, OrderKind, OrderRef, OrderRequest, OrderSize,
};
use domain::market::{Candle, CandleRange, Market, MarketFilters, OrderBook, Symbol, Ticker, Timeframe};
use domain::Clock;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use time::OffsetDateTime;

/// The symbol of market `index` (`M0-USDT`, `M1-USDT`, …).
pub fn symbol(index: usize) -> Symbol {
    Symbol::parse(&format!("M{index}-USDT")).expect("bench symbols are well-formed")
}

/// The price level market `index` moves around.
pub fn level(index: usize) -> Decimal {
    Decimal::from(100 * (index as i64 + 1))
}

/// The filters of every bench market.
pub fn filters() -> MarketFilters {
    MarketFilters {
        tick_size: Decimal::new(1, 2),
        step_size: Decimal::new(1, 6),
        min_quantity: Decimal::new(1, 6),
        max_quantity: Decimal::ZERO,
        min_notional: Decimal::from(5),
    }
}

/// `count` markets served on the clock `clock`.
#[derive(Debug)]
pub struct BenchExchange {
    markets: HashMap<Symbol, usize>,
    clock: Arc<dyn Clock>,
    orders: Mutex<HashMap<String, ExchangeOrder>>,
}

impl BenchExchange {
    /// The exchange with markets `0..count`.
    pub fn new(count: usize, clock: Arc<dyn Clock>) -> Self {
        let markets = (0..count).map(|i| (symbol(i), i)).collect();
        Self { markets, clock, orders: Mutex::new(HashMap::new()) }
    }

    fn index(&self, symbol: &Symbol) -> Result<usize, ExchangeError> {
        self.markets.get(symbol).copied().ok_or_else(|| ExchangeError::UnknownSymbol(symbol.clone()))
    }

    /// Market `index`'s price at `at`: its level times a wave of ±0.2 % with a 2-hour period.
    pub fn price(index: usize, at: OffsetDateTime) -> Decimal {
        let phase = at.unix_timestamp() as f64 / 7_200.0 * std::f64::consts::TAU + index as f64;
        let factor = Decimal::from_f64(1.0 + 0.002 * phase.sin()).unwrap_or(Decimal::ONE);
        (level(index) * factor).round_dp(2)
    }

    fn quote(&self, symbol: &Symbol) -> Result<(Decimal, Decimal, Decimal), ExchangeError> {
        let last = Self::price(self.index(symbol)?, self.clock.now());
        let tick = filters().tick_size;
        Ok((last, last - tick, last + tick))
    }

    fn fill(&self, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        let (_, bid, ask) = self.quote(&order.symbol)?;
        let now = self.clock.now();
        let mut report = ExchangeOrder {
            exchange_order_id: format!("x-{}", order.client_order_id),
            client_order_id: Some(order.client_order_id.clone()),
            symbol: order.symbol.clone(),
            side: order.side,
            kind: order.kind,
            status: ExchangeOrderStatus::New,
            quantity: None,
            quote_amount: None,
            filled_quantity: Decimal::ZERO,
            filled_quote: Decimal::ZERO,
            fills: Vec::new(),
            created_at: Some(now),
            updated_at: Some(now),
        };
        let price = match order.side {
            domain::exchange::OrderSide::Buy => ask,
            domain::exchange::OrderSide::Sell => bid,
        };
        let (quantity, quote) = match order.size {
            OrderSize::Quantity(q) => {
                report.quantity = Some(q);
                (q, q * price)
            }
            OrderSize::QuoteAmount(a) => {
                report.quote_amount = Some(a);
                (filters().floor_quantity(a / price), a)
            }
        };
        if matches!(order.kind, OrderKind::Market) {
            report.status = ExchangeOrderStatus::Filled;
            report.filled_quantity = quantity;
            report.filled_quote = quote;
            report.fills.push(Fill {
                trade_id: format!("t-{}", order.client_order_id),
                price,
                quantity,
                fee: Decimal::ZERO,
                fee_asset: order.symbol.quote().to_string(),
                at: Some(now),
            });
        }
        Ok(report)
    }

    fn orders(&self) -> std::sync::MutexGuard<'_, HashMap<String, ExchangeOrder>> {
        self.orders.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn key(order: &OrderRef) -> String {
        match order {
            OrderRef::Client(id) => id.to_string(),
            OrderRef::Exchange(id) => id.trim_start_matches("x-").to_owned(),
        }
    }
}

/// A number in `[0, 1)` drawn from `(index, at, salt)`: the same inputs always give the same
/// number (SplitMix64), so two runs see the same candles.
fn unit(index: usize, at: i64, salt: u64) -> f64 {
    let mut z = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (at as u64).rotate_left(17) ^ salt;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / (u64::MAX as f64 + 1.0)
}

/// The candles' price of market `index` at `at` (unix seconds): the ticker's wave plus slower
/// swings of a few percent (37, 11 and 5 hours) and a little noise, so indicators see trends,
/// reversals and crossings, each market in its own phase. The ticker keeps the small wave alone,
/// so the positions and channels of the idle rounds keep their shape.
fn candle_price(index: usize, at: i64) -> f64 {
    let (t, i) = (at as f64, index as f64);
    let wave = |hours: f64, amplitude: f64, shift: f64| amplitude * (t / (hours * 3_600.0) * TAU + shift * i).sin();
    let swing = wave(2.0, 0.002, 1.0) + wave(37.0, 0.03, 1.7) + wave(11.0, 0.012, 0.3) + wave(5.0, 0.006, 2.9);
    let noise = 0.003 * (unit(index, at, 1) * 2.0 - 1.0);
    100.0 * (i + 1.0) * (1.0 + swing + noise)
}

fn cents(price: f64) -> Decimal {
    Decimal::new((price * 100.0).round() as i64, 2)
}

/// Market `index`'s candle opening at `open` and closing (or last traded) at `close`: wicks of
/// up to 0.15 %, a volume of 5 to 15 with a spike (three times) on about one candle in twelve.
fn candle(index: usize, open: i64, close: i64) -> Candle {
    let (first, last) = (candle_price(index, open), candle_price(index, close));
    let high = first.max(last) * (1.0 + 0.0015 * unit(index, open, 2));
    let low = first.min(last) * (1.0 - 0.0015 * unit(index, open, 3));
    let spike = if unit(index, open, 4) > 0.92 { 3.0 } else { 1.0 };
    let volume = 10.0 * (0.5 + unit(index, open, 5)) * spike;
    Candle {
        open_time: OffsetDateTime::from_unix_timestamp(open).expect("a valid time"),
        open: cents(first),
        high: cents(high),
        low: cents(low),
        close: cents(last),
        volume: Decimal::new((volume * 1_000.0).round() as i64, 3),
        quote_volume: None,
    }
}

#[async_trait]
impl ExchangeGateway for BenchExchange {
    fn id(&self) -> ExchangeId {
        ExchangeId::Binance
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        Timeframe::ALL.to_vec()
    }

    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        Ok(self.markets.keys().map(|s| Market { symbol: s.clone(), trading: true, filters: filters() }).collect())
    }

    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        self.index(symbol)?;
        Ok(Market { symbol: symbol.clone(), trading: true, filters: filters() })
    }

    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        let (last, bid, ask) = self.quote(symbol)?;
        let at = self.clock.now();
        Ok(Ticker { symbol: symbol.clone(), last, bid, ask, volume_24h: Decimal::from(1_000), at })
    }

    async fn order_book(&self, _symbol: &Symbol, _depth: u32) -> Result<OrderBook, ExchangeError> {
        Err(ExchangeError::Unavailable(anyhow::anyhow!("the bench exchange has no order book")))
    }

    async fn candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        let index = self.index(symbol)?;
        let length = timeframe.seconds();
        let now = self.clock.now().unix_timestamp();
        let current = now - now.rem_euclid(length);
        let count = i64::from(range.limit.clamp(1, 1_000));
        let candles = (0..count)
            .rev()
            .map(|back| {
                let open = current - back * length;
                candle(index, open, (open + length).min(now))
            })
            .collect();
        Ok(candles)
    }

    async fn place_order(&self, _creds: &ApiCredentials, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        let report = self.fill(order)?;
        self.orders().insert(order.client_order_id.to_string(), report.clone());
        Ok(report)
    }

    async fn cancel_order(
        &self,
        _creds: &ApiCredentials,
        _symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let mut orders = self.orders();
        let found = orders.get_mut(&Self::key(order)).ok_or(ExchangeError::OrderNotFound)?;
        if found.status.is_open() {
            found.status = ExchangeOrderStatus::Canceled;
        }
        Ok(found.clone())
    }

    async fn order(
        &self,
        _creds: &ApiCredentials,
        _symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.orders().get(&Self::key(order)).cloned().ok_or(ExchangeError::OrderNotFound)
    }

    async fn open_orders(
        &self,
        _creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        let orders = self.orders();
        let open = orders.values().filter(|o| o.status.is_open() && symbol.as_ref().is_none_or(|s| &o.symbol == s));
        Ok(open.cloned().collect())
    }

    async fn balances(&self, _creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        let usdt = Balance { asset: "USDT".into(), free: Decimal::from(1_000_000_000), locked: Decimal::ZERO };
        Ok(vec![usdt])
    }

    async fn account_info(&self, _creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        Ok(AccountInfo { can_trade: true, can_withdraw: Some(false) })
    }
}
