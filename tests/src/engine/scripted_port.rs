//! The scripted exchange's side the engine sees: the `ExchangeGateway` port over the state the
//! test scripts in `gateway.rs`. Market data comes from the one market; placements are recorded
//! and answered from the script; orders are read from the book (or a queued stale report).

use std::collections::VecDeque;

use async_trait::async_trait;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder,
    ExchangeOrderStatus, OrderRef, OrderRequest, OrderSize,
};
use domain::market::{BookLevel, Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};
use rust_decimal_macros::dec;

use super::gateway::{named, InFlight, Placement, ScriptedGateway};

#[async_trait]
impl ExchangeGateway for ScriptedGateway {
    fn id(&self) -> ExchangeId {
        self.exchange
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        Vec::new()
    }

    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        Ok(vec![self.state().market.clone()])
    }

    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        self.check_symbol(symbol)?;
        Ok(self.state().market.clone())
    }

    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        self.check_symbol(symbol)?;
        Ok(self.state().ticker.clone())
    }

    async fn order_book(&self, symbol: &Symbol, _depth: u32) -> Result<OrderBook, ExchangeError> {
        self.check_symbol(symbol)?;
        let t = self.state().ticker.clone();
        let level = |price| BookLevel { price, quantity: dec!(1) };
        Ok(OrderBook { symbol: t.symbol, bids: vec![level(t.bid)], asks: vec![level(t.ask)], at: t.at })
    }

    async fn candles(
        &self,
        _: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        // Only the candles a test set are served: DCA bots need none.
        let state = self.state();
        let candles = state.candles.get(&timeframe).ok_or(ExchangeError::UnsupportedTimeframe(timeframe))?;
        Ok(candles[candles.len().saturating_sub(range.limit as usize)..].to_vec())
    }

    async fn place_order(&self, _: &ApiCredentials, request: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        self.check_symbol(&request.symbol)?;
        self.in_flight(InFlight::Sent).await;
        let answer = self.answer(request);
        self.in_flight(InFlight::Answered).await;
        answer
    }

    async fn cancel_order(
        &self,
        _: &ApiCredentials,
        symbol: &Symbol,
        reference: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.check_symbol(symbol)?;
        let mut state = self.state();
        let order = state.book.iter_mut().find(|o| named(o, reference)).ok_or(ExchangeError::OrderNotFound)?;
        if order.status.is_open() {
            order.status = ExchangeOrderStatus::Canceled;
        }
        Ok(order.clone())
    }

    async fn order(
        &self,
        _: &ApiCredentials,
        symbol: &Symbol,
        reference: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        let hook = self.hook.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Some(hook) = hook {
            hook().await;
        }
        self.check_symbol(symbol)?;
        let mut state = self.state();
        state.order_calls += 1;
        if let OrderRef::Client(id) = reference {
            if let Some(report) = state.stale.get_mut(id).and_then(VecDeque::pop_front) {
                return Ok(report);
            }
        }
        state.book.iter().find(|o| named(o, reference)).cloned().ok_or(ExchangeError::OrderNotFound)
    }

    async fn open_orders(
        &self,
        _: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        let state = self.state();
        let open = state.book.iter().filter(|o| o.status.is_open() && symbol.as_ref().is_none_or(|s| &o.symbol == s));
        Ok(open.cloned().collect())
    }

    async fn balances(&self, _: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        let state = self.state();
        let asset = state.market.symbol.quote().as_str().to_owned();
        let (free, locked) =
            state.quote_balance.ok_or_else(|| ExchangeError::unavailable(anyhow::anyhow!("scripted outage")))?;
        let base = state.market.symbol.base().as_str().to_owned();
        let (base_free, base_locked) = state.base_balance;
        Ok(vec![Balance { asset, free, locked }, Balance { asset: base, free: base_free, locked: base_locked }])
    }

    async fn account_info(&self, _: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        Ok(AccountInfo { can_trade: true, can_withdraw: Some(false) })
    }
}

impl ScriptedGateway {
    /// Runs the placement hook when it is set for `now`.
    async fn in_flight(&self, now: InFlight) {
        let hook = self.place_hook.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Some((_, hook)) = hook.filter(|(when, _)| *when == now) {
            hook().await;
        }
    }

    /// Takes `request` and answers it as scripted.
    fn answer(&self, request: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        let mut state = self.state();
        state.placements.push(request.clone());
        match state.script.pop_front().unwrap_or(Placement::Accept) {
            Placement::Accept => Ok(Self::accept(&mut state, request)),
            Placement::Fill { trade_id, price, fee } => {
                Self::accept(&mut state, request);
                drop(state);
                let reference = OrderRef::Client(request.client_order_id.clone());
                let quantity = match request.size {
                    OrderSize::Quantity(q) => q,
                    OrderSize::QuoteAmount(a) => a / price,
                };
                self.fill(&reference, &trade_id, quantity, price, fee);
                Ok(self.snapshot(&reference))
            }
            Placement::Refuse => {
                Err(ExchangeError::Rejected { code: "-2010".into(), message: "scripted refusal".into() })
            }
            Placement::Lost { exists } => {
                if exists {
                    Self::accept(&mut state, request);
                }
                Err(ExchangeError::OutcomeUnknown("scripted time-out".into()))
            }
        }
    }
}
