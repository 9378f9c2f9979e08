//! An independent ledger of one bot on the paper BTC-BRL market, computed from its orders alone
//! (fills and fees as the exchange reported them), and the checks that the bot's books and the
//! paper account agree with it. The bot must be the only one trading on its context.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::exchange::OrderSide;
use domain::orders::{Order, OrderFilter, OrderStatus};
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;

use crate::app::{Session, TestApp};
use crate::bots::{assert_books_balance, bot, dec};

/// What a bot's filled orders add up to (BTC-BRL, fees in either asset).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// BRL the buys cost, BRL fees included.
    pub spent: Decimal,
    /// BTC the buys brought, net of BTC fees.
    pub bought: Decimal,
    /// BTC the sales took, BTC fees included.
    pub sold: Decimal,
    /// BRL the sales brought, net of BRL fees.
    pub received: Decimal,
}

impl Tally {
    /// The tally of `orders` (those that filled nothing add nothing).
    pub fn of(orders: &[Order]) -> Self {
        let mut t = Self::default();
        for o in orders {
            let (btc, brl) = (fee(o, "BTC"), fee(o, "BRL"));
            match o.side {
                OrderSide::Buy => {
                    t.spent += o.filled_quote + brl;
                    t.bought += o.filled_quantity - btc;
                }
                OrderSide::Sell => {
                    t.sold += o.filled_quantity + btc;
                    t.received += o.filled_quote - brl;
                }
            }
        }
        t
    }
}

/// The fee an order paid in `asset` (zero when none).
pub fn fee(order: &Order, asset: &str) -> Decimal {
    order.fees.get(asset).copied().unwrap_or_default()
}

/// Every order of `bot`, oldest first.
pub async fn orders_of(repos: &Repositories, user: &Session, bot: &str) -> Vec<Order> {
    let filter = OrderFilter { bot: Some(bot.parse().unwrap()), ..OrderFilter::default() };
    let page = repos.orders.list(user.user_id.parse().unwrap(), &filter, PageRequest::new(0, 500)).await.unwrap();
    let mut orders = page.items;
    orders.sort_by_key(|o| o.created_at);
    orders
}

/// Asserts that no order of `orders` was refused, by the bot's own books ("not sent: …") or by
/// the exchange.
pub fn assert_none_rejected(orders: &[Order]) {
    let rejected: Vec<_> = orders
        .iter()
        .filter(|o| o.status == OrderStatus::Rejected)
        .map(|o| (o.side, o.size, o.error.clone()))
        .collect();
    assert!(rejected.is_empty(), "orders refused: {rejected:?}");
}

/// Asserts that `bot`'s books agree with its orders and with the paper account of `context`,
/// which held `initial_brl` and no BTC before the bot traded (and on which only it trades).
pub async fn assert_books_match_account(
    app: &TestApp,
    repos: &Repositories,
    user: &Session,
    (context, bot_id): (&str, &str),
    initial_brl: Decimal,
) {
    let b = bot(app, user, bot_id).await;
    assert_books_balance(&b);
    let t = Tally::of(&orders_of(repos, user, bot_id).await);
    let f = &b["funds"];
    let cash = dec(&f["available"]) + dec(&f["blocked"]);
    assert_eq!(cash, dec(&f["allocated"]) - t.spent + t.received, "cash from the orders: {f}");
    assert_eq!(dec(&f["holdings"]), t.bought - t.sold, "coins from the orders: {f}");
    assert_eq!(dec(&f["realized_profit"]) - dec(&f["invested"]), t.received - t.spent, "P&L from the orders: {f}");
    let account = app.get(&format!("/api/contexts/{context}/balance"), Some(&user.access)).await.ok(200).clone();
    let total = |side: &str| dec(&account[side]["free"]) + dec(&account[side]["locked"]);
    assert_eq!(total("base"), dec(&f["holdings"]), "the account's BTC is the bot's: {account} vs {f}");
    assert_eq!(total("quote"), initial_brl - dec(&f["allocated"]) + cash, "the account's BRL: {account} vs {f}");
}

/// Sleeps to just past the next whole second of the wall clock. The paper price drifts from a
/// set price with the replay's path, second by second: a price set and read within the same
/// second is read exactly as set, so a scenario can put a price exactly on a trigger.
pub async fn at_second_start() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970");
    let into = Duration::from_nanos(u64::from(now.subsec_nanos()));
    tokio::time::sleep(Duration::from_secs(1) - into + Duration::from_millis(5)).await;
}
