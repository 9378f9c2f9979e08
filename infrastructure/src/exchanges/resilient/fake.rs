//! A scripted, call-counting exchange for the decorator and cache tests: each call takes the next
//! scripted step (succeed, fail, hang, or succeed after a delay) and is logged with its
//! `tokio::time` instant.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ClientOrderId, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder,
    ExchangeOrderStatus, OrderKind, OrderRef, OrderRequest, OrderSide, OrderSize,
};
use domain::market::{Candle, CandleRange, Market, MarketFilters, OrderBook, Symbol, Ticker, Timeframe};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use tokio::time::Instant;

/// What the next call does.
#[derive(Debug)]
pub(crate) enum Step {
    /// Answer after this (virtual) delay.
    Answer(Duration),
    /// Fail with this error.
    Fail(ExchangeError),
    /// Fail with this error after this (virtual) delay.
    FailAfter(Duration, ExchangeError),
    /// Never answer.
    Hang,
}

/// The fake exchange. Unscripted calls answer at once; answers carry the call's sequence number
/// (a ticker's `last`, a candle's `close`, a balance's `free`) so tests can tell fresh from cached.
#[derive(Debug)]
pub(crate) struct FakeExchange {
    id: ExchangeId,
    script: Mutex<VecDeque<Step>>,
    log: Mutex<Vec<(&'static str, Instant)>>,
    newest_candle: Mutex<Option<OffsetDateTime>>,
}

impl FakeExchange {
    pub(crate) fn new(id: ExchangeId) -> Self {
        Self { id, script: Mutex::default(), log: Mutex::default(), newest_candle: Mutex::default() }
    }

    /// Queues steps for the next calls, whatever their endpoint.
    pub(crate) fn script(&self, steps: impl IntoIterator<Item = Step>) {
        self.script.lock().unwrap().extend(steps);
    }

    /// Makes the newest candle of latest-candle series open at `at` (default: now).
    pub(crate) fn set_newest_candle(&self, at: OffsetDateTime) {
        *self.newest_candle.lock().unwrap() = Some(at);
    }

    /// Calls made so far.
    pub(crate) fn calls(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// Calls made so far to `endpoint`.
    pub(crate) fn calls_to(&self, endpoint: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|(e, _)| *e == endpoint).count()
    }

    /// The instants of every call, in order.
    pub(crate) fn instants(&self) -> Vec<Instant> {
        self.log.lock().unwrap().iter().map(|(_, at)| *at).collect()
    }

    /// Logs the call and plays the next step; returns the call's sequence number (from 1).
    async fn step(&self, endpoint: &'static str) -> Result<Decimal, ExchangeError> {
        let seq = {
            let mut log = self.log.lock().unwrap();
            log.push((endpoint, Instant::now()));
            log.len()
        };
        let step = self.script.lock().unwrap().pop_front();
        match step {
            None => {}
            Some(Step::Answer(delay)) => tokio::time::sleep(delay).await,
            Some(Step::Fail(err)) => return Err(err),
            Some(Step::FailAfter(delay, err)) => {
                tokio::time::sleep(delay).await;
                return Err(err);
            }
            Some(Step::Hang) => std::future::pending::<()>().await,
        }
        Ok(Decimal::from(seq))
    }
}

pub(crate) fn btc_usdt() -> Symbol {
    Symbol::parse("BTC-USDT").unwrap()
}

pub(crate) fn eth_usdt() -> Symbol {
    Symbol::parse("ETH-USDT").unwrap()
}

pub(crate) fn creds() -> ApiCredentials {
    ApiCredentials { api_key: "key".into(), api_secret: "secret".into(), testnet: false }
}

pub(crate) fn order_request() -> OrderRequest {
    OrderRequest {
        symbol: btc_usdt(),
        side: OrderSide::Buy,
        kind: OrderKind::Market,
        size: OrderSize::QuoteAmount(Decimal::from(10)),
        client_order_id: ClientOrderId::generate(),
    }
}

fn market(symbol: &Symbol) -> Market {
    let one = Decimal::new(1, 2);
    let filters = MarketFilters {
        tick_size: one,
        step_size: one,
        min_quantity: one,
        max_quantity: Decimal::from(1_000),
        min_notional: Decimal::from(5),
    };
    Market { symbol: symbol.clone(), trading: true, filters }
}

fn order(seq: Decimal, symbol: &Symbol) -> ExchangeOrder {
    ExchangeOrder {
        exchange_order_id: seq.to_string(),
        client_order_id: None,
        symbol: symbol.clone(),
        side: OrderSide::Buy,
        kind: OrderKind::Market,
        status: ExchangeOrderStatus::New,
        quantity: None,
        quote_amount: Some(Decimal::from(10)),
        filled_quantity: Decimal::ZERO,
        filled_quote: Decimal::ZERO,
        fills: Vec::new(),
        created_at: None,
        updated_at: None,
    }
}

#[async_trait]
impl ExchangeGateway for FakeExchange {
    fn id(&self) -> ExchangeId {
        self.id
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        Timeframe::ALL.to_vec()
    }

    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        self.step("markets").await?;
        Ok(vec![market(&btc_usdt()), market(&eth_usdt())])
    }

    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        self.step("market").await?;
        Ok(market(symbol))
    }

    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        let seq = self.step("ticker").await?;
        Ok(Ticker {
            symbol: symbol.clone(),
            last: seq,
            bid: seq,
            ask: seq,
            volume_24h: Decimal::ONE,
            at: OffsetDateTime::now_utc(),
        })
    }

    async fn order_book(&self, symbol: &Symbol, _depth: u32) -> Result<OrderBook, ExchangeError> {
        self.step("order_book").await?;
        Ok(OrderBook { symbol: symbol.clone(), bids: Vec::new(), asks: Vec::new(), at: OffsetDateTime::now_utc() })
    }

    async fn candles(
        &self,
        _symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        let seq = self.step("candles").await?;
        // By default the current (unfinished) candle opened just now: its period ends a timeframe later.
        let newest = *self.newest_candle.lock().unwrap();
        let open_time = range.end.or(newest).unwrap_or_else(OffsetDateTime::now_utc);
        let step = time::Duration::seconds(timeframe.seconds());
        Ok((0..range.limit.min(3))
            .rev()
            .map(|back| Candle {
                open_time: open_time - step * back,
                open: seq,
                high: seq,
                low: seq,
                close: seq,
                volume: Decimal::ONE,
                quote_volume: None,
            })
            .collect())
    }

    async fn place_order(&self, _creds: &ApiCredentials, req: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        let seq = self.step("place_order").await?;
        Ok(order(seq, &req.symbol))
    }

    async fn cancel_order(
        &self,
        _creds: &ApiCredentials,
        symbol: &Symbol,
        _order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let seq = self.step("cancel_order").await?;
        Ok(ExchangeOrder { status: ExchangeOrderStatus::Canceled, ..order(seq, symbol) })
    }

    async fn order(
        &self,
        _creds: &ApiCredentials,
        symbol: &Symbol,
        _order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let seq = self.step("order").await?;
        Ok(order(seq, symbol))
    }

    async fn open_orders(
        &self,
        _creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        let seq = self.step("open_orders").await?;
        Ok(vec![order(seq, &symbol.unwrap_or_else(btc_usdt))])
    }

    async fn balances(&self, _creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        let seq = self.step("balances").await?;
        Ok(vec![Balance { asset: "USDT".into(), free: seq, locked: Decimal::ZERO }])
    }

    async fn account_info(&self, _creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        self.step("account_info").await?;
        Ok(AccountInfo { can_trade: true, can_withdraw: Some(false) })
    }
}
