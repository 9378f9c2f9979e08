//! A paper account's balances and orders, and the pure rules that move them: market fills with
//! slippage and fees, limit orders that lock funds and fill when the price reaches them, cancels
//! that release the lock. Every amount is exact; balances never go negative.

use std::collections::BTreeMap;

use domain::exchange::{ExchangeError, ExchangeOrderStatus, OrderKind, OrderRef, OrderRequest, OrderSide, OrderSize};
use domain::market::{Asset, Market, Symbol};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::order::{canon, PaperFill, PaperOrder};
use super::quotes::Quote;

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// One asset's holding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Holding {
    /// Available.
    #[serde(with = "canon")]
    pub free: Decimal,
    /// Held by open orders.
    #[serde(with = "canon")]
    pub locked: Decimal,
}

/// How fills are priced and charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Execution {
    /// Market orders fill this many basis points beyond the best bid/ask.
    pub slippage_bps: Decimal,
    /// Fee of taker fills, in basis points of the asset received.
    pub taker_fee_bps: Decimal,
    /// Fee of resting (maker) fills, in basis points of the asset received.
    pub maker_fee_bps: Decimal,
}

/// A paper account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Account {
    /// Holdings by asset code.
    pub balances: BTreeMap<String, Holding>,
    /// Open orders and closed ones not yet archived.
    pub orders: Vec<PaperOrder>,
}

fn quote_amount_refused() -> ExchangeError {
    ExchangeError::Rejected {
        code: "QUOTE_AMOUNT_MARKET_BUY_ONLY".into(),
        message: "a quote amount can size market buys only".into(),
    }
}

impl Account {
    /// A new account holding `initial`.
    pub fn new(initial: &BTreeMap<Asset, Decimal>) -> Self {
        let balances =
            initial.iter().map(|(a, v)| (a.as_str().to_owned(), Holding { free: *v, locked: Decimal::ZERO })).collect();
        Self { balances, orders: Vec::new() }
    }

    /// The order named by `r` in `symbol` among those the account still holds.
    pub fn find(&self, symbol: &Symbol, r: &OrderRef) -> Option<&PaperOrder> {
        self.orders.iter().find(|o| &o.symbol == symbol && matches_ref(o, r))
    }

    /// How many orders are open.
    pub fn open_count(&self) -> usize {
        self.orders.iter().filter(|o| o.is_open()).count()
    }

    fn holding(&mut self, asset: &str) -> &mut Holding {
        self.balances.entry(asset.to_owned()).or_default()
    }

    fn debit_free(&mut self, asset: &str, amount: Decimal) -> Result<(), ExchangeError> {
        let h = self.holding(asset);
        if h.free < amount {
            return Err(ExchangeError::InsufficientBalance);
        }
        h.free -= amount;
        Ok(())
    }

    /// Places `req`; an order with the same client id is returned as it is (idempotent).
    pub fn place(
        &mut self,
        req: &OrderRequest,
        market: &Market,
        quote: Quote,
        exec: &Execution,
        now_ms: i64,
    ) -> Result<PaperOrder, ExchangeError> {
        if let Some(existing) = self.orders.iter().find(|o| o.client_order_id == req.client_order_id) {
            return Ok(existing.clone());
        }
        let tick = market.filters.tick_size;
        let slip = Decimal::ONE + exec.slippage_bps / BPS;
        let buy_at = round(quote.ask * slip, tick, RoundingStrategy::ToPositiveInfinity);
        let sell_at = round(quote.bid * (Decimal::TWO - slip), tick, RoundingStrategy::ToNegativeInfinity).max(tick);
        let mut order = PaperOrder::new(req, now_ms);
        match (req.kind, req.size, req.side) {
            (OrderKind::Market, size, OrderSide::Buy) => {
                let qty = match size {
                    OrderSize::Quantity(q) => q,
                    OrderSize::QuoteAmount(a) => market.filters.floor_quantity(a / buy_at),
                };
                market.check(qty, buy_at, false)?;
                self.fill(&mut order, qty, buy_at, exec.taker_fee_bps, now_ms)?;
            }
            (OrderKind::Market, OrderSize::Quantity(qty), OrderSide::Sell) => {
                market.check(qty, sell_at, false)?;
                self.fill(&mut order, qty, sell_at, exec.taker_fee_bps, now_ms)?;
            }
            (OrderKind::Limit { price }, OrderSize::Quantity(qty), side) => {
                market.check(qty, price, true)?;
                match side {
                    OrderSide::Buy if price >= quote.ask => {
                        self.fill(&mut order, qty, price.min(buy_at), exec.taker_fee_bps, now_ms)?
                    }
                    OrderSide::Sell if price <= quote.bid => {
                        self.fill(&mut order, qty, price.max(sell_at), exec.taker_fee_bps, now_ms)?
                    }
                    OrderSide::Buy => self.lock(&mut order, req.symbol.quote().as_str(), qty * price)?,
                    OrderSide::Sell => self.lock(&mut order, req.symbol.base().as_str(), qty)?,
                }
            }
            (_, OrderSize::QuoteAmount(_), _) => return Err(quote_amount_refused()),
        }
        self.orders.push(order.clone());
        Ok(order)
    }

    fn lock(&mut self, order: &mut PaperOrder, asset: &str, amount: Decimal) -> Result<(), ExchangeError> {
        self.debit_free(asset, amount)?;
        self.holding(asset).locked += amount;
        order.locked = amount;
        Ok(())
    }

    /// Fills all of `order` at `price` from free funds (taker) or from its lock (resting order).
    fn fill(
        &mut self,
        order: &mut PaperOrder,
        qty: Decimal,
        price: Decimal,
        fee_bps: Decimal,
        now_ms: i64,
    ) -> Result<(), ExchangeError> {
        let (base, quote) = (order.symbol.base().as_str().to_owned(), order.symbol.quote().as_str().to_owned());
        let value = qty * price;
        let (pay_asset, pay, get_asset, get) = match order.side {
            OrderSide::Buy => (quote, value, base, qty),
            OrderSide::Sell => (base, qty, quote, value),
        };
        if order.locked > Decimal::ZERO {
            // A resting order pays from its lock and releases what the fill did not need.
            let h = self.holding(&pay_asset);
            h.locked -= order.locked;
            h.free += order.locked - pay;
            order.locked = Decimal::ZERO;
        } else {
            self.debit_free(&pay_asset, pay)?;
        }
        let fee = get * fee_bps / BPS;
        self.holding(&get_asset).free += get - fee;
        order.fills.push(PaperFill {
            trade_id: ulid::Ulid::new().to_string(),
            price,
            quantity: qty,
            fee,
            fee_asset: get_asset,
            at: now_ms,
        });
        order.filled_quantity += qty;
        order.filled_quote += value;
        order.status = ExchangeOrderStatus::Filled;
        order.updated_at = now_ms;
        Ok(())
    }

    /// Fills every open limit order whose price the market reached since it was placed.
    /// `range(symbol, since_ms)` gives the lowest and highest price since then. Returns the fills.
    pub fn match_resting(
        &mut self,
        range: impl Fn(&Symbol, i64) -> Option<(Decimal, Decimal)>,
        exec: &Execution,
        now_ms: i64,
    ) -> usize {
        let mut orders = std::mem::take(&mut self.orders);
        let mut filled = 0;
        for order in orders.iter_mut().filter(|o| o.is_open()) {
            let (Some(limit), Some(qty)) = (order.limit_price, order.quantity) else { continue };
            let Some((low, high)) = range(&order.symbol, order.created_at) else { continue };
            let crossed = match order.side {
                OrderSide::Buy => low <= limit,
                OrderSide::Sell => high >= limit,
            };
            if crossed && self.fill(order, qty, limit, exec.maker_fee_bps, now_ms).is_ok() {
                filled += 1;
            }
        }
        self.orders = orders;
        filled
    }

    /// Cancels the open order `r` in `symbol`, releasing its lock; a closed order is returned as is.
    pub fn cancel(&mut self, symbol: &Symbol, r: &OrderRef, now_ms: i64) -> Option<PaperOrder> {
        let index = self.orders.iter().position(|o| &o.symbol == symbol && matches_ref(o, r))?;
        let mut order = self.orders[index].clone();
        if order.is_open() {
            let asset = match order.side {
                OrderSide::Buy => order.symbol.quote().as_str().to_owned(),
                OrderSide::Sell => order.symbol.base().as_str().to_owned(),
            };
            let h = self.holding(&asset);
            h.locked -= order.locked;
            h.free += order.locked;
            order.locked = Decimal::ZERO;
            order.status = ExchangeOrderStatus::Canceled;
            order.updated_at = now_ms;
            self.orders[index] = order.clone();
        }
        Some(order)
    }

    /// Takes `amount` of `asset` out of the free balance, as a withdrawal would (what open orders
    /// lock stays). Returns the holding left. Errors: `Filter(NonPositiveQuantity)` for an amount
    /// that is not positive; `InsufficientBalance` when the free balance holds less.
    pub fn withdraw(&mut self, asset: &str, amount: Decimal) -> Result<Holding, ExchangeError> {
        if amount <= Decimal::ZERO {
            return Err(ExchangeError::Filter(domain::market::FilterViolation::NonPositiveQuantity));
        }
        self.debit_free(asset, amount)?;
        Ok(self.holding(asset).clone())
    }

    /// Removes and returns the closed orders (to archive them).
    pub fn take_closed(&mut self) -> Vec<PaperOrder> {
        let (open, closed) = std::mem::take(&mut self.orders).into_iter().partition(PaperOrder::is_open);
        self.orders = open;
        closed
    }
}

/// Whether `order` is the one `r` names.
pub(crate) fn matches_ref(order: &PaperOrder, r: &OrderRef) -> bool {
    match r {
        OrderRef::Exchange(id) => &order.id == id,
        OrderRef::Client(id) => &order.client_order_id == id,
    }
}

fn round(p: Decimal, tick: Decimal, strategy: RoundingStrategy) -> Decimal {
    ((p / tick).round_dp_with_strategy(0, strategy) * tick).normalize()
}
