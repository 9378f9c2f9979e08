//! Helpers of the notification tests and the events benchmark: events of a few types for a
//! user, raised through the event queue (`EventRepository::enqueue`, the path of events no
//! aggregate carries) so the relay moves them into the log, and waits on what the API shows.

use std::time::Duration;

use domain::exchange::ExchangeId;
use domain::notifications::{AnomalyData, Event, EventPayload, OrderData, PaymentData};
use domain::shared::ids::{ContextId, OrderId, UserId};
use infrastructure::repositories::Repositories;
use rust_decimal_macros::dec;
use serde_json::Value;
use time::OffsetDateTime;

use crate::app::{Session, TestApp};

/// The id of `session`'s user.
pub fn user_of(session: &Session) -> UserId {
    session.user_id.parse().expect("a user id")
}

/// A `market.anomaly` (safety: in-app by default) of `user`'s, its description `what`.
pub fn anomaly(user: UserId, what: &str) -> Event {
    let data = AnomalyData {
        exchange: ExchangeId::Binance,
        symbol: "BTC-USDT".parse().expect("a symbol"),
        description: what.to_owned(),
    };
    Event::new(user, EventPayload::MarketAnomaly(data), OffsetDateTime::now_utc())
}

/// A `payment.failed` (money: in-app by default) of `user`'s.
pub fn payment_failed(user: UserId) -> Event {
    let data = PaymentData {
        provider: "stripe".into(),
        plan: "pro".into(),
        amount: Some(dec!(49.90)),
        currency: Some("BRL".into()),
        reason: Some("card declined".into()),
    };
    Event::new(user, EventPayload::PaymentFailed(data), OffsetDateTime::now_utc())
}

/// An `order.filled` (a fill: on no channel by default) of `user`'s.
pub fn order_filled(user: UserId) -> Event {
    let data = OrderData {
        order_id: OrderId::new(),
        bot_id: None,
        context_id: ContextId::new(),
        exchange: ExchangeId::Binance,
        symbol: "BTC-USDT".parse().expect("a symbol"),
        side: "buy".into(),
        status: "filled".into(),
        filled_quantity: dec!(0.001),
        filled_quote: dec!(300),
        average_price: Some(dec!(300000)),
        error: None,
    };
    Event::new(user, EventPayload::OrderFilled(data), OffsetDateTime::now_utc())
}

/// `make()` two milliseconds from now: events (and their ULIDs) made in distinct milliseconds
/// keep their order in the log; within one millisecond, ULIDs are not ordered.
pub async fn apart(make: impl FnOnce() -> Event) -> Event {
    tokio::time::sleep(Duration::from_millis(2)).await;
    make()
}

/// Queues `events` for the relay, as a use case raising events outside an aggregate does.
pub async fn raise(repositories: &Repositories, events: &[Event]) {
    repositories.events.enqueue(events).await.expect("the events are queued");
}

/// Waits (up to 15 s) until `session`'s unread count is `expected`, and returns it.
pub async fn wait_unread(app: &TestApp, session: &Session, expected: u64) -> u64 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let count = app.get("/api/notifications/unread-count", Some(&session.access)).await.ok(200)["unread_count"]
            .as_u64()
            .expect("a count");
        if count == expected || tokio::time::Instant::now() > deadline {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The ids of a notification list's items, in order.
pub fn item_ids(list: &Value) -> Vec<String> {
    list["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("an id").to_owned()).collect()
}
