//! What the engine tests check after each step, and the first purchase they start from: a DCA
//! bot buying 100 BRL out of 1000 at 100000 BRL/BTC, with trades the test scripts and expected
//! values computed from those trades.

use domain::bots::Bot;
use domain::exchange::{OrderRef, OrderSize};
use domain::orders::{Order, OrderStatus};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::EngineRig;

/// Quote spent per DCA purchase.
pub const PURCHASE: Decimal = dec!(100);
/// Quote given to the bot.
pub const ALLOCATED: Decimal = dec!(1000);
/// What the DCA bot blocks per purchase: the amount plus a 1% margin for a market order.
pub const BLOCK: Decimal = dec!(101);
/// 100 BRL at 100000 BRL/BTC.
pub const QUANTITY: Decimal = dec!(0.001);

/// A trade as a test scripts it: id, quantity, price; the fee is 0.1% of its value, in BRL.
pub type Trade = (&'static str, Decimal, Decimal);

/// The fee of `t`.
pub fn fee(t: &Trade) -> Decimal {
    t.1 * t.2 / dec!(1000)
}

/// What `trades` cost a buyer, fees included.
pub fn cost(trades: &[Trade]) -> Decimal {
    trades.iter().map(|t| t.1 * t.2 + fee(t)).sum()
}

/// Books that balance, and blocked funds that are exactly what the pending orders still hold.
pub fn assert_books(bot: &Bot) {
    assert!(bot.funds.is_consistent(), "books out of balance: {:?}", bot.funds);
    assert_eq!(bot.funds.blocked, bot.pending.iter().map(|p| p.blocked).sum::<Decimal>(), "{:?}", bot.pending);
}

/// The bot's books after buying `trades` while `blocked` is still held for its order.
pub fn assert_bought(bot: &Bot, trades: &[Trade], blocked: Decimal) {
    let spent = cost(trades);
    let quantity: Decimal = trades.iter().map(|t| t.1).sum();
    assert_eq!(bot.funds.invested, spent);
    assert_eq!(bot.funds.blocked, blocked);
    assert_eq!(bot.funds.available, ALLOCATED - spent - blocked);
    assert_eq!(bot.funds.holdings, quantity);
    assert_books(bot);
}

/// The order is in `status` having filled exactly `trades`, each journaled once, with their fees.
pub fn assert_order(order: &Order, status: OrderStatus, trades: &[Trade]) {
    assert_eq!(order.status, status);
    assert_eq!(order.filled_quantity, trades.iter().map(|t| t.1).sum::<Decimal>());
    assert_eq!(order.filled_quote, trades.iter().map(|t| t.1 * t.2).sum::<Decimal>());
    let ids: Vec<&str> = order.fills.iter().map(|f| f.trade_id.as_str()).collect();
    assert_eq!(ids, trades.iter().map(|t| t.0).collect::<Vec<_>>(), "fills are journaled once each");
    let fees: Decimal = trades.iter().map(fee).sum();
    assert_eq!(order.fees.get("BRL").copied().unwrap_or_default(), fees);
}

impl EngineRig {
    /// A started DCA bot whose first purchase was just sent; returns it as stored, its order and
    /// the order's reference on the exchange.
    pub async fn first_purchase(&self) -> (Bot, Order, OrderRef) {
        let bot = self.dca_bot(PURCHASE, ALLOCATED).await;
        let cycle = self.engine.run(application::engine::Workload::DcaExecution).await.unwrap();
        assert_eq!((cycle.bots, cycle.orders), (1, 1), "{cycle:?}");
        let orders = self.orders().await;
        assert_eq!(orders.len(), 1);
        let order = orders[0].clone();
        assert_eq!((order.bot_id, order.size), (Some(bot.id), OrderSize::Quantity(QUANTITY)));
        let placed = self.bot(bot.id).await;
        assert_eq!(placed.pending.len(), 1);
        assert_bought(&placed, &[], BLOCK);
        let reference = OrderRef::Client(order.client_order_id.clone());
        (placed, order, reference)
    }

    /// The stored order with `order`'s client order id.
    pub async fn order(&self, order: &Order) -> Order {
        self.repos.orders.get_by_client_id(&order.client_order_id).await.unwrap()
    }
}
