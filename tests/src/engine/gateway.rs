//! A scripted exchange for engine tests: it records every `place_order` call, answers placements
//! as the test scripts them (accepted, filled at once, refused, or a lost answer after which the
//! order exists or not), keeps a book of the orders it knows that the test fills, cancels,
//! expires or forgets between syncs, can answer one `order()` call with a stale report, and runs
//! a hook (a concurrent writer) during `order()` and while a placement is in flight. Its `ExchangeGateway` side is in `scripted_port.rs`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use domain::exchange::{
    ClientOrderId, ExchangeError, ExchangeId, ExchangeOrder, ExchangeOrderStatus, Fill, OrderRef, OrderRequest,
    OrderSize,
};
use domain::market::{Market, MarketFilters, Symbol, Ticker};
use futures::future::BoxFuture;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::OffsetDateTime;

/// How the exchange answers the next `place_order`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Accepted, resting, nothing filled (the default when nothing is scripted).
    Accept,
    /// Accepted and filled at once: one trade `trade_id` at `price` with a quote `fee`.
    Fill {
        /// The trade id.
        trade_id: String,
        /// Price.
        price: Decimal,
        /// Fee, in the quote asset.
        fee: Decimal,
    },
    /// Refused for sure (a matching-engine rejection).
    Refuse,
    /// The answer is lost (time-out): `OutcomeUnknown`. With `exists` the exchange did receive
    /// the order and knows it by its client order id; without, it never saw it.
    Lost {
        /// Whether the exchange received the order.
        exists: bool,
    },
}

/// Something a test runs while the engine waits for the exchange.
pub type Hook = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// Where a placement is when a hook set by [`ScriptedGateway::on_place`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InFlight {
    /// The request is on its way: the exchange does not know the order yet.
    Sent,
    /// The exchange took the order (and filled it, when so scripted); its answer is on its way.
    Answered,
}

#[derive(Debug)]
pub(super) struct State {
    pub(super) market: Market,
    pub(super) ticker: Ticker,
    pub(super) placements: Vec<OrderRequest>,
    pub(super) script: VecDeque<Placement>,
    pub(super) book: Vec<ExchangeOrder>,
    pub(super) stale: HashMap<ClientOrderId, VecDeque<ExchangeOrder>>,
    pub(super) order_calls: u64,
    pub(super) next_id: u64,
    /// The quote balance, free and locked; `None`: balances cannot be read.
    pub(super) quote_balance: Option<(Decimal, Decimal)>,
    /// The base balance, free and locked (1000 and 0 at first).
    pub(super) base_balance: (Decimal, Decimal),
    /// Candles the test set, per timeframe; other timeframes are not served.
    pub(super) candles: HashMap<domain::market::Timeframe, Vec<domain::market::Candle>>,
}

/// The scripted exchange. One market; prices and filters set by the test.
pub struct ScriptedGateway {
    pub(super) exchange: ExchangeId,
    state: Mutex<State>,
    pub(super) hook: Mutex<Option<Hook>>,
    pub(super) place_hook: Mutex<Option<(InFlight, Hook)>>,
}

impl std::fmt::Debug for ScriptedGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedGateway").field("exchange", &self.exchange).finish_non_exhaustive()
    }
}

/// Whether `order` is the one `reference` names.
pub(super) fn named(order: &ExchangeOrder, reference: &OrderRef) -> bool {
    match reference {
        OrderRef::Exchange(id) => &order.exchange_order_id == id,
        OrderRef::Client(id) => order.client_order_id.as_ref() == Some(id),
    }
}

impl ScriptedGateway {
    /// `exchange` trading `symbol` at `price` (bid 0.01% below), step 0.0001, min notional 1.
    pub fn new(exchange: ExchangeId, symbol: Symbol, price: Decimal) -> Self {
        let filters = MarketFilters {
            tick_size: dec!(0.01),
            step_size: dec!(0.0001),
            min_quantity: dec!(0.0001),
            max_quantity: Decimal::ZERO,
            min_notional: dec!(1),
        };
        let market = Market { symbol: symbol.clone(), trading: true, filters };
        let ticker = Ticker {
            symbol,
            last: price,
            bid: price * dec!(0.9999),
            ask: price,
            volume_24h: dec!(10),
            at: OffsetDateTime::UNIX_EPOCH,
        };
        let state = State {
            market,
            ticker,
            placements: Vec::new(),
            script: VecDeque::new(),
            book: Vec::new(),
            stale: HashMap::new(),
            order_calls: 0,
            next_id: 1,
            quote_balance: Some((dec!(1000000), Decimal::ZERO)),
            base_balance: (dec!(1000), Decimal::ZERO),
            candles: HashMap::new(),
        };
        Self { exchange, state: Mutex::new(state), hook: Mutex::new(None), place_hook: Mutex::new(None) }
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Scripts the answer to the next unscripted `place_order`.
    pub fn script(&self, placement: Placement) {
        self.state().script.push_back(placement);
    }

    /// Every order sent to `place_order`, in order.
    pub fn placements(&self) -> Vec<OrderRequest> {
        self.state().placements.clone()
    }

    /// From now on the account holds `free` and `locked` quote (1000000 and 0 at first); `None`:
    /// reading the balances fails (the exchange is unreachable).
    pub fn set_quote_balance(&self, balance: Option<(Decimal, Decimal)>) {
        self.state().quote_balance = balance;
    }

    /// How many times `order()` was called.
    pub fn order_calls(&self) -> u64 {
        self.state().order_calls
    }

    /// Runs `hook` at the start of every `order()` call (none: stop).
    pub fn on_order(&self, hook: Option<Hook>) {
        *self.hook.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = hook;
    }

    /// Runs `hook` during every `place_order` call, at `when` (none: stop).
    pub fn on_place(&self, hook: Option<(InFlight, Hook)>) {
        *self.place_hook.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = hook;
    }

    /// The book's order named `reference`, as the exchange would report it now.
    pub fn snapshot(&self, reference: &OrderRef) -> ExchangeOrder {
        self.state().book.iter().find(|o| named(o, reference)).cloned().expect("the exchange knows the order")
    }

    /// The next `order()` call for `id` answers `report` (e.g. an older snapshot) instead of the book.
    pub fn answer_once(&self, id: &ClientOrderId, report: ExchangeOrder) {
        self.state().stale.entry(id.clone()).or_default().push_back(report);
    }

    /// Adds an order placed outside botfleet (on the exchange's web site) to the book.
    pub fn add_foreign(&self, report: ExchangeOrder) {
        self.state().book.push(report);
    }

    fn with_order<T>(&self, reference: &OrderRef, change: impl FnOnce(&mut ExchangeOrder) -> T) -> T {
        let mut state = self.state();
        let order = state.book.iter_mut().find(|o| named(o, reference)).expect("the exchange knows the order");
        change(order)
    }

    /// The order named `reference` trades `quantity` at `price` with a quote `fee` (trade
    /// `trade_id`): its totals grow and it is filled once its whole quantity traded.
    pub fn fill(&self, reference: &OrderRef, trade_id: &str, quantity: Decimal, price: Decimal, fee: Decimal) {
        let quote = self.state().market.symbol.quote().as_str().to_owned();
        self.with_order(reference, |o| {
            assert!(o.status.is_open(), "only an open order fills");
            o.fills.push(Fill { trade_id: trade_id.into(), price, quantity, fee, fee_asset: quote, at: None });
            o.filled_quantity += quantity;
            o.filled_quote += quantity * price;
            let whole = o.quantity.is_some_and(|q| o.filled_quantity >= q);
            o.status = if whole { ExchangeOrderStatus::Filled } else { ExchangeOrderStatus::PartiallyFilled };
        });
    }

    /// The exchange reports trade `trade_id` of the order a second time (its totals stay).
    pub fn repeat_fill(&self, reference: &OrderRef, trade_id: &str) {
        self.with_order(reference, |o| {
            let again = o.fills.iter().find(|f| f.trade_id == trade_id).cloned().expect("a known trade");
            o.fills.push(again);
        });
    }

    /// The order ends on the exchange with `status` (cancelled, expired) keeping what filled.
    pub fn end(&self, reference: &OrderRef, status: ExchangeOrderStatus) {
        self.with_order(reference, |o| o.status = status);
    }

    /// The exchange forgets the order named `reference` (archived, purged): from now on it
    /// answers "not found" for it and no longer lists it.
    pub fn forget(&self, reference: &OrderRef) -> ExchangeOrder {
        let mut state = self.state();
        let index = state.book.iter().position(|o| named(o, reference)).expect("the exchange knew the order once");
        state.book.remove(index)
    }

    /// The exchange knows `order` again (after [`Self::forget`]: the "not found" was transient).
    pub fn remember(&self, order: ExchangeOrder) {
        self.state().book.push(order);
    }

    pub(super) fn accept(state: &mut State, request: &OrderRequest) -> ExchangeOrder {
        let (quantity, quote_amount) = match request.size {
            OrderSize::Quantity(q) => (Some(q), None),
            OrderSize::QuoteAmount(a) => (None, Some(a)),
        };
        let order = ExchangeOrder {
            exchange_order_id: format!("sx-{}", state.next_id),
            client_order_id: Some(request.client_order_id.clone()),
            symbol: request.symbol.clone(),
            side: request.side,
            kind: request.kind,
            status: ExchangeOrderStatus::New,
            quantity,
            quote_amount,
            filled_quantity: Decimal::ZERO,
            filled_quote: Decimal::ZERO,
            fills: Vec::new(),
            created_at: None,
            updated_at: None,
        };
        state.next_id += 1;
        state.book.push(order.clone());
        order
    }

    pub(super) fn check_symbol(&self, symbol: &Symbol) -> Result<(), ExchangeError> {
        if *symbol == self.state().market.symbol {
            Ok(())
        } else {
            Err(ExchangeError::UnknownSymbol(symbol.clone()))
        }
    }
}
