//! The fake exchange's state: one account, balances, prices, and orders that rest, fill against
//! the current price, or cancel.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use serde_json::{json, Value};
use time::OffsetDateTime;

/// Fee rate charged on every execution, in percent (as the API reports it).
pub const FEE_PERCENT: Decimal = Decimal::from_parts(3, 0, 0, false, 1);
/// Half the spread around the last price.
pub const HALF_SPREAD: Decimal = Decimal::TEN;

/// One order.
#[derive(Debug, Clone)]
pub struct FakeOrder {
    pub id: String,
    pub external_id: Option<String>,
    pub symbol: String,
    pub side: String,
    pub kind: String,
    pub status: String,
    pub qty: Decimal,
    pub cost: Option<Decimal>,
    pub limit_price: Option<Decimal>,
    pub filled_qty: Decimal,
    pub fill_price: Decimal,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Everything the fake remembers.
#[derive(Debug, Default)]
pub struct State {
    pub prices: HashMap<String, Decimal>,
    pub tokens: HashSet<String>,
    /// asset -> (available, on hold).
    pub balances: HashMap<String, (Decimal, Decimal)>,
    pub orders: Vec<FakeOrder>,
    pub next_trade: u64,
    /// Candles loaded by the test, per resolution (`1m`, `1h`, …), oldest first; a resolution
    /// without any is answered with synthetic candles around the price.
    pub series: HashMap<String, Vec<domain::market::Candle>>,
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl State {
    /// Last price, best bid and best ask of `symbol`.
    pub fn quote(&self, symbol: &str) -> Option<(Decimal, Decimal, Decimal)> {
        self.prices.get(symbol).map(|p| (*p, *p - HALF_SPREAD, *p + HALF_SPREAD))
    }

    fn balance(&mut self, asset: &str) -> &mut (Decimal, Decimal) {
        self.balances.entry(asset.to_owned()).or_default()
    }

    /// Holds what a resting order may spend; `false` when the balance is short.
    pub fn hold(&mut self, order: &FakeOrder) -> bool {
        let (asset, amount) = hold_of(order);
        let b = self.balance(&asset);
        if b.0 < amount {
            return false;
        }
        b.0 -= amount;
        b.1 += amount;
        true
    }

    /// Gives back what a resting order held.
    pub fn release(&mut self, order: &FakeOrder) {
        let (asset, amount) = hold_of(order);
        let b = self.balance(&asset);
        b.0 += amount;
        b.1 -= amount;
    }

    /// Fills `order` completely at `price`, moving balances (the fee comes out of what is received).
    pub fn fill(&mut self, order: &mut FakeOrder, price: Decimal) -> bool {
        let (base, quote) = order.symbol.split_once('-').expect("symbols are BASE-QUOTE");
        let (base, quote) = (base.to_owned(), quote.to_owned());
        let notional = order.qty * price;
        let keep = Decimal::ONE - FEE_PERCENT / Decimal::ONE_HUNDRED;
        if order.side == "buy" {
            if self.balance(&quote).0 < notional {
                return false;
            }
            self.balance(&quote).0 -= notional;
            self.balance(&base).0 += order.qty * keep;
        } else {
            if self.balance(&base).0 < order.qty {
                return false;
            }
            self.balance(&base).0 -= order.qty;
            self.balance(&quote).0 += notional * keep;
        }
        self.next_trade += 1;
        order.filled_qty = order.qty;
        order.fill_price = price;
        order.status = "filled".into();
        order.updated_at = now();
        true
    }

    /// Moves the price and fills resting orders it crosses, at their limit.
    pub fn set_price(&mut self, symbol: &str, price: Decimal) {
        self.prices.insert(symbol.to_owned(), price);
        let (_, bid, ask) = self.quote(symbol).expect("just set");
        for i in 0..self.orders.len() {
            let o = self.orders[i].clone();
            let crosses = o.symbol == symbol
                && o.status == "working"
                && o.limit_price.is_some_and(|l| if o.side == "buy" { l >= ask } else { l <= bid });
            if crosses {
                let mut o = o;
                let limit = o.limit_price.expect("checked");
                self.release(&o);
                if self.fill(&mut o, limit) {
                    self.orders[i] = o;
                } else {
                    self.hold(&o);
                }
            }
        }
    }

    /// A new order, stamped now.
    pub fn new_order(symbol: &str, body: &Value, qty: Decimal, limit_price: Option<Decimal>) -> FakeOrder {
        FakeOrder {
            id: ulid::Ulid::new().to_string(),
            external_id: body["externalId"].as_str().map(str::to_owned),
            symbol: symbol.to_owned(),
            side: body["side"].as_str().unwrap_or_default().to_owned(),
            kind: body["type"].as_str().unwrap_or_default().to_owned(),
            status: "working".into(),
            qty,
            cost: None,
            limit_price,
            filled_qty: Decimal::ZERO,
            fill_price: Decimal::ZERO,
            created_at: now(),
            updated_at: now(),
        }
    }
}

fn hold_of(order: &FakeOrder) -> (String, Decimal) {
    let (base, quote) = order.symbol.split_once('-').expect("symbols are BASE-QUOTE");
    if order.side == "buy" {
        (quote.to_owned(), order.qty * order.limit_price.unwrap_or_default())
    } else {
        (base.to_owned(), order.qty)
    }
}

impl FakeOrder {
    /// The documented order payload; `external_id` spells the client id as the all-orders list does.
    pub fn to_json(&self, snake_case_external_id: bool) -> Value {
        let executions = if self.filled_qty > Decimal::ZERO {
            json!([{
                "id": format!("{}-1", self.id), "executed_at": self.updated_at, "price": self.fill_price.to_string(),
                "qty": self.filled_qty.to_string(), "side": self.side, "fee_rate": FEE_PERCENT.to_string(),
                "liquidity": "taker", "instrument": self.symbol,
            }])
        } else {
            json!([])
        };
        let mut v = json!({
            "id": self.id, "instrument": self.symbol, "side": self.side, "type": self.kind, "status": self.status,
            "qty": self.qty.to_string(), "filledQty": self.filled_qty.to_string(),
            "avgPrice": self.fill_price.to_string(), "created_at": self.created_at, "updated_at": self.updated_at,
            "executions": executions,
        });
        if let Some(p) = self.limit_price {
            v["limitPrice"] = json!(p.to_string().parse::<f64>().expect("a decimal is a number"));
        }
        if let Some(c) = self.cost {
            v["cost"] = json!(c.to_string().parse::<f64>().expect("a decimal is a number"));
        }
        let key = if snake_case_external_id { "external_id" } else { "externalId" };
        v[key] = json!(self.external_id);
        v
    }
}
