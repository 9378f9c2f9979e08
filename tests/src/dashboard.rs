//! Helpers of the dashboard scenarios: the summary, every page of the caller's bots, orders and
//! closed positions, and the books the test recomputes from them on its own (from the orders'
//! fills and fees and the positions' records, never from the summary's code).

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use crate::app::{Session, TestApp};
use crate::bots::dec;

/// `GET /api/dashboard/summary` as `user`, asserting 200.
pub async fn summary(app: &TestApp, user: &Session) -> Value {
    app.get("/api/dashboard/summary", Some(&user.access)).await.ok(200).clone()
}

/// Every item of the paged list at `path` (which takes `offset` and `limit`).
pub async fn every(app: &TestApp, user: &Session, path: &str, items: impl Fn(&Value) -> &Value) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let page = app.get(&format!("{path}{sep}limit=200&offset={}", all.len()), Some(&user.access)).await;
        let page = page.ok(200).clone();
        let got = items(&page).as_array().unwrap().clone();
        let done = got.len() < 200;
        all.extend(got);
        if done {
            return all;
        }
    }
}

/// Every bot of `user`.
pub async fn bots(app: &TestApp, user: &Session) -> Vec<Value> {
    every(app, user, "/api/bots", |p| &p["items"]).await
}

/// Every order of `user` (`query` narrows them, e.g. `?bot_id=…`).
pub async fn orders(app: &TestApp, user: &Session, query: &str) -> Vec<Value> {
    every(app, user, &format!("/api/orders{query}"), |p| &p["items"]).await
}

/// A bot's closed positions (its `position_closed` records) and its open ones.
pub async fn positions(app: &TestApp, user: &Session, bot: &str) -> (Vec<Value>, Vec<Value>) {
    let path = format!("/api/bots/{bot}/positions");
    let closed = every(app, user, &path, |p| &p["closed"]["items"]).await;
    let open = app.get(&path, Some(&user.access)).await.ok(200)["open"].as_array().unwrap().clone();
    (closed, open)
}

/// One bot's books as the test recomputes them from its orders and positions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recomputed {
    /// Quote paid for buys, quote fees included.
    pub spent: Decimal,
    /// Quote received from sales, net of quote fees.
    pub received: Decimal,
    /// Base held: bought net of base fees, less sold (base fees included).
    pub holdings: Decimal,
    /// Quote fees, by the orders.
    pub fees_quote: Decimal,
    /// Base fees, by the orders.
    pub fees_base: Decimal,
    /// Realized profit: every position's, closed or open.
    pub realized: Decimal,
    /// Closed trades.
    pub trades: u64,
    /// Of them, those with a realized profit above zero.
    pub wins: u64,
}

impl Recomputed {
    /// Cost basis of what is held: `realized + spent − received` (the books balance).
    pub fn invested(&self) -> Decimal {
        self.realized + self.spent - self.received
    }

    /// Unrealized P&L at `price`: `holdings × price − cost basis`.
    pub fn unrealized(&self, price: Decimal) -> Decimal {
        self.holdings * price - self.invested()
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &Recomputed) {
        self.spent += other.spent;
        self.received += other.received;
        self.holdings += other.holdings;
        self.fees_quote += other.fees_quote;
        self.fees_base += other.fees_base;
        self.realized += other.realized;
        self.trades += other.trades;
        self.wins += other.wins;
    }
}

/// `bot`'s books from its orders (`base`/`quote` assets) and its positions.
pub async fn recompute(app: &TestApp, user: &Session, bot: &str, base: &str, quote: &str) -> Recomputed {
    let mut r = Recomputed::default();
    for o in orders(app, user, &format!("?bot_id={bot}")).await {
        let fee = |asset: &str| o["fees"].get(asset).map(dec).unwrap_or_default();
        let (quantity, filled_quote) = (dec(&o["filled_quantity"]), dec(&o["filled_quote"]));
        r.fees_quote += fee(quote);
        r.fees_base += fee(base);
        match o["side"].as_str().unwrap() {
            "buy" => {
                r.spent += filled_quote + fee(quote);
                r.holdings += quantity - fee(base);
            }
            _ => {
                r.received += filled_quote - fee(quote);
                r.holdings -= quantity + fee(base);
            }
        }
    }
    let (closed, open) = positions(app, user, bot).await;
    r.trades = closed.len() as u64;
    r.wins = closed.iter().filter(|p| dec(&p["realized_profit"]) > Decimal::ZERO).count() as u64;
    r.realized = closed.iter().chain(&open).map(|p| dec(&p["realized_profit"])).sum();
    r
}

/// `wins / trades × 100` to 2 places, half away from zero, as a string; `null` without trades.
pub fn win_rate(wins: u64, trades: u64) -> Value {
    if trades == 0 {
        return Value::Null;
    }
    let rate = (Decimal::from(wins * 100) / Decimal::from(trades))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Value::String(format!("{rate:.2}"))
}

/// The summary group of `mode` and `quote`.
pub fn group<'a>(summary: &'a Value, mode: &str, quote: &str) -> &'a Value {
    summary["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["mode"] == mode && g["quote_currency"] == quote)
        .unwrap_or_else(|| panic!("no {mode} {quote} group in {summary}"))
}

/// `figures`' money fields as decimals, by name.
pub fn money(figures: &Value) -> BTreeMap<&'static str, Decimal> {
    ["total_invested", "total_in_positions", "realized_pnl", "fees_paid"]
        .into_iter()
        .map(|name| (name, dec(&figures[name])))
        .collect()
}
