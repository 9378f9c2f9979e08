//! What the data directory holds once the server is stopped: our orders, and the orders the
//! paper exchange received (open ones in the account documents, closed ones archived; a closed
//! one caught between the two by a crash counts once), read
//! straight from the embedded store (SQLite) in the data directory.

use std::path::Path;

use domain::orders::{Order, OrderFilter, OrderStatus};
use domain::shared::ids::UserId;
use domain::shared::page::PageRequest;
use infrastructure::exchanges::paper::{ACCOUNTS_COLLECTION, ORDERS_COLLECTION};
use infrastructure::repositories::open_embedded;
use infrastructure::store::Query;
use rust_decimal::Decimal;
use serde_json::Value;

/// An order as the paper exchange recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeOrder {
    /// The client order id it was placed with.
    pub client_order_id: String,
    /// `new`, `filled`, ...
    pub status: String,
    /// Base filled.
    pub filled_quantity: Decimal,
}

/// Both sides of the books.
#[derive(Debug)]
pub struct Stored {
    /// The user's orders in our store, newest first.
    pub orders: Vec<Order>,
    /// Every order the paper exchanges received.
    pub exchange: Vec<ExchangeOrder>,
}

fn exchange_order(order: &Value) -> ExchangeOrder {
    let text = |field: &str| order[field].as_str().unwrap_or_else(|| panic!("{field} in {order}")).to_owned();
    ExchangeOrder {
        client_order_id: text("client_order_id"),
        status: text("status"),
        filled_quantity: text("filled_quantity").parse().expect("a decimal"),
    }
}

/// Opens the (stopped) server's data directory and reads `user`'s orders and the exchange's.
pub async fn stored(dir: &Path, user: &str) -> Stored {
    let repositories = open_embedded(Some(dir)).await.expect("the data directory opens after the crash");
    let user: UserId = user.parse().expect("a user id");
    let mut orders = Vec::new();
    loop {
        let page = PageRequest::new(orders.len() as u64, PageRequest::MAX_LIMIT);
        let items =
            repositories.orders.list(user, &OrderFilter::default(), page).await.expect("orders are listed").items;
        if items.is_empty() {
            break;
        }
        orders.extend(items);
    }
    let mut exchange = Vec::new();
    for doc in repositories.store.find(ACCOUNTS_COLLECTION, &Query::all()).await.expect("paper accounts") {
        for order in doc.get("orders").and_then(Value::as_array).into_iter().flatten() {
            exchange.push(exchange_order(order));
        }
    }
    // The paper exchange archives a closed order by copying it out, then dropping it from the
    // account: a crash between the two leaves one order in both places (the next archive run
    // drops it). It is the same order received once, so the copy must agree and counts once.
    for doc in repositories.store.find(ORDERS_COLLECTION, &Query::all()).await.expect("paper orders") {
        let archived = exchange_order(&doc["order"]);
        match exchange.iter().find(|o| o.client_order_id == archived.client_order_id) {
            Some(listed) => assert_eq!(listed, &archived, "an archived copy differs from the account's"),
            None => exchange.push(archived),
        }
    }
    Stored { orders, exchange }
}

impl Stored {
    /// Checks that nothing was placed twice or lost: every order the exchange received is one of
    /// ours with the same fill, received once; every one of ours the exchange never received was
    /// rejected (never sent).
    pub fn assert_one_to_one(&self) {
        for received in &self.exchange {
            let same = self.exchange.iter().filter(|o| o.client_order_id == received.client_order_id).count();
            assert_eq!(same, 1, "the exchange received {} twice: {:?}", received.client_order_id, self.exchange);
            let ours = self
                .orders
                .iter()
                .find(|o| o.client_order_id.as_str() == received.client_order_id)
                .unwrap_or_else(|| panic!("the exchange holds an order we lost: {received:?}"));
            assert_eq!(ours.filled_quantity, received.filled_quantity, "{ours:?} vs {received:?}");
        }
        for ours in &self.orders {
            if !self.exchange.iter().any(|o| o.client_order_id == ours.client_order_id.as_str()) {
                assert_eq!(ours.status, OrderStatus::Rejected, "never sent, yet {ours:?}");
            }
        }
    }
}
