//! The fake's account: balances and orders that fill, rest and cancel like Binance's.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::market::FakeMarket;

/// The fee the fake charges, in the asset received: 0.1 %.
const FEE_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 3);

/// A Binance error: HTTP status, code, message.
pub(crate) type Refusal = (u16, i64, &'static str);

/// One order as the fake keeps it.
#[derive(Clone, Debug)]
pub(crate) struct FakeOrder {
    pub(crate) id: i64,
    pub(crate) client_id: String,
    pub(crate) symbol: &'static str,
    pub(crate) buy: bool,
    /// `None` for market orders.
    pub(crate) limit: Option<Decimal>,
    pub(crate) orig_qty: Decimal,
    pub(crate) orig_quote: Decimal,
    pub(crate) executed: Decimal,
    pub(crate) cum_quote: Decimal,
    pub(crate) status: &'static str,
    pub(crate) fills: Vec<Value>,
    pub(crate) time: i64,
    pub(crate) update_time: i64,
}

impl FakeOrder {
    /// Whether it rests on the book.
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.status, "NEW" | "PARTIALLY_FILLED")
    }

    /// The order as `GET /api/v3/order` and `openOrders` show it (plus `fills` for `FULL` answers).
    pub(crate) fn to_json(&self, with_fills: bool) -> Value {
        let mut v = json!({
            "symbol": self.symbol, "orderId": self.id, "orderListId": -1, "clientOrderId": self.client_id,
            "price": self.limit.unwrap_or_default().to_string(), "origQty": self.orig_qty.to_string(),
            "executedQty": self.executed.to_string(), "origQuoteOrderQty": self.orig_quote.to_string(),
            "cummulativeQuoteQty": self.cum_quote.to_string(), "status": self.status, "timeInForce": "GTC",
            "type": if self.limit.is_some() { "LIMIT" } else { "MARKET" },
            "side": if self.buy { "BUY" } else { "SELL" }, "time": self.time, "updateTime": self.update_time,
            "transactTime": self.time, "isWorking": self.is_open(), "workingTime": self.time,
            "selfTradePreventionMode": "NONE"
        });
        if with_fills {
            v["fills"] = Value::Array(self.fills.clone());
        }
        v
    }
}

/// Balances (free, locked) by asset, and every order ever placed.
#[derive(Debug, Default)]
pub(crate) struct Account {
    pub(crate) balances: BTreeMap<String, (Decimal, Decimal)>,
    pub(crate) orders: Vec<FakeOrder>,
    next_trade: i64,
}

impl Account {
    fn free(&self, asset: &str) -> Decimal {
        self.balances.get(asset).map_or(Decimal::ZERO, |b| b.0)
    }

    fn add(&mut self, asset: &str, free: Decimal, locked: Decimal) {
        let entry = self.balances.entry(asset.to_owned()).or_default();
        entry.0 += free;
        entry.1 += locked;
    }

    /// Accepts an order and fills what crosses the book; `order` arrives NEW with nothing filled.
    pub(crate) fn place(&mut self, m: &FakeMarket, mut order: FakeOrder) -> Result<FakeOrder, Refusal> {
        if self.orders.iter().any(|o| o.is_open() && o.client_id == order.client_id) {
            return Err((400, -2010, "Duplicate order sent."));
        }
        let fill_price = if order.buy { m.ask() } else { m.bid() };
        if order.limit.is_none() && order.orig_qty.is_zero() {
            order.orig_qty = ((order.orig_quote / fill_price) / m.step).floor() * m.step;
        }
        let crosses = order.limit.is_none_or(|p| if order.buy { p >= fill_price } else { p <= fill_price });
        // Binance holds a limit buy's funds at its limit price; a fill below it refunds the rest.
        let reserve = order.limit.unwrap_or(fill_price);
        let (asset, needed) = if order.buy { (m.quote, order.orig_qty * reserve) } else { (m.base, order.orig_qty) };
        if self.free(asset) < needed {
            return Err((400, -2010, "Account has insufficient balance for requested action."));
        }
        self.add(asset, -needed, needed);
        if crosses {
            self.fill(m, &mut order, fill_price);
        }
        self.orders.push(order.clone());
        Ok(order)
    }

    /// Fills the rest of `order` at `price`, moving its locked funds.
    fn fill(&mut self, m: &FakeMarket, order: &mut FakeOrder, price: Decimal) {
        let qty = order.orig_qty - order.executed;
        let quote = qty * price;
        let reserved = if order.buy { qty * order.limit.unwrap_or(price).max(price) } else { qty };
        self.next_trade += 1;
        let (got_asset, got) = if order.buy { (m.base, qty) } else { (m.quote, quote) };
        let fee = got * FEE_RATE;
        if order.buy {
            // A buy resting above the fill price gets the difference back.
            self.add(m.quote, reserved - quote, -reserved);
        } else {
            self.add(m.base, Decimal::ZERO, -reserved);
        }
        self.add(got_asset, got - fee, Decimal::ZERO);
        order.executed += qty;
        order.cum_quote += quote;
        order.status = "FILLED";
        order.fills.push(json!({
            "price": price.to_string(), "qty": qty.to_string(), "commission": fee.to_string(),
            "commissionAsset": got_asset, "tradeId": self.next_trade
        }));
    }

    /// Fills the resting orders of `m` that its new price crosses.
    pub(crate) fn cross(&mut self, m: &FakeMarket, now_ms: i64) {
        let mut orders = std::mem::take(&mut self.orders);
        for o in orders.iter_mut().filter(|o| o.is_open() && o.symbol == m.name) {
            let Some(limit) = o.limit else { continue };
            if (o.buy && limit >= m.ask()) || (!o.buy && limit <= m.bid()) {
                self.fill(m, o, limit);
                o.update_time = now_ms;
            }
        }
        self.orders = orders;
    }

    /// Cancels an open order, releasing its funds.
    pub(crate) fn cancel(&mut self, m: &FakeMarket, index: usize, now_ms: i64) -> Result<FakeOrder, Refusal> {
        let order = self.orders[index].clone();
        if !order.is_open() {
            return Err((400, -2011, "Unknown order sent."));
        }
        let left = order.orig_qty - order.executed;
        let (asset, held) = if order.buy { (m.quote, left * order.limit.unwrap_or_default()) } else { (m.base, left) };
        self.add(asset, held, -held);
        let o = &mut self.orders[index];
        o.status = "CANCELED";
        o.update_time = now_ms;
        Ok(o.clone())
    }
}
