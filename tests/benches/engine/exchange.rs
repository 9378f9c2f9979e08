//! The bench's exchange: a deterministic stand-in for the paper exchange that lists as many
//! markets as the bench asks for (the paper exchange lists only BTC and ETH against BRL and USDT,
//! five markets in all). Prices follow a slow wave around each market's level, driven by the
//! injected clock; market orders fill at once at the ask or bid without fees, limit orders rest.
//! It does just enough for `Engine::run` to place, fill and cancel; it is not a simulation.

use std::collections::HashMap;
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
                let open_time = OffsetDateTime::from_unix_timestamp(current - back * length).expect("a valid time");
                let close_time = OffsetDateTime::from_unix_timestamp((current - back * length + length).min(now))
                    .expect("a valid time");
                let (open, close) = (Self::price(index, open_time), Self::price(index, close_time));
                Candle {
                    open_time,
                    open,
                    high: open.max(close),
                    low: open.min(close),
                    close,
                    volume: Decimal::from(10),
                    quote_volume: None,
                }
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
