//! Contract of `DeliveryRepository` and `CursorRepository`: deterministic ids make a repeated
//! dispatch harmless, the due query and the per-user batch, saving a delivery's state, counting
//! the queue, erasure, and cursors.

use domain::notifications::{AnomalyData, Channel, Delivery, DeliveryStatus, Event, EventPayload};
use domain::shared::ids::UserId;
use infrastructure::repositories::Repositories;

use super::assert_not_found;
use super::fixtures::at;

fn event(user: UserId, second: i64) -> Event {
    let data = AnomalyData {
        exchange: domain::exchange::ExchangeId::Binance,
        symbol: "BTC-USDT".parse().unwrap(),
        description: format!("gap <{second}>"),
    };
    Event::new(user, EventPayload::MarketAnomaly(data), domain::shared::clock::to_millis(at(second)))
}

fn delivery(user: UserId, seq: u64, channel: Channel, due: i64) -> Delivery {
    let mut d = Delivery::new(event(user, due), seq, channel, at(0));
    d.due_at = at(due);
    d
}

/// A delivery added twice is stored once, and reads back whole.
pub async fn a_repeated_delivery_is_stored_once_and_round_trips(repos: &Repositories) {
    let user = UserId::new();
    let d = delivery(user, 7, Channel::Email, 10);

    assert_eq!(repos.deliveries.add(std::slice::from_ref(&d)).await.unwrap(), 1);
    assert_eq!(repos.deliveries.add(&[d.clone(), delivery(user, 8, Channel::Email, 11)]).await.unwrap(), 1);

    let back = repos.deliveries.pending_of(Channel::Email, user, 10).await.unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0], d, "every field round-trips, the event included");
    assert_eq!(repos.deliveries.pending_count(Channel::Email).await.unwrap(), 2);
    assert_eq!(repos.deliveries.pending_count(Channel::Telegram).await.unwrap(), 0);
}

/// `due` lists the channel's pending deliveries due by then, soonest first, limited.
pub async fn due_lists_pending_deliveries_of_the_channel_soonest_first(repos: &Repositories) {
    let (a, b) = (UserId::new(), UserId::new());
    let mut sent = delivery(a, 1, Channel::Email, 5);
    let all = vec![
        delivery(a, 2, Channel::Email, 30),
        delivery(b, 3, Channel::Email, 20),
        delivery(a, 4, Channel::Telegram, 10),
        delivery(b, 5, Channel::Email, 100),
        sent.clone(),
    ];
    repos.deliveries.add(&all).await.unwrap();
    sent.sent(at(6));
    repos.deliveries.save(&sent).await.unwrap();

    let due = repos.deliveries.due(Channel::Email, at(30), 10).await.unwrap();
    assert_eq!(due.iter().map(|d| d.seq).collect::<Vec<_>>(), vec![3, 2]);
    assert_eq!(repos.deliveries.due(Channel::Email, at(30), 1).await.unwrap()[0].seq, 3);
    assert_eq!(repos.deliveries.due(Channel::Telegram, at(30), 10).await.unwrap()[0].seq, 4);
}

/// `pending_of` is one user's pending deliveries on one channel, in log order, due or not.
pub async fn pending_of_is_the_users_batch_in_log_order(repos: &Repositories) {
    let (a, b) = (UserId::new(), UserId::new());
    let all = vec![
        delivery(a, 9, Channel::Email, 1),
        delivery(a, 3, Channel::Email, 500),
        delivery(b, 4, Channel::Email, 1),
        delivery(a, 5, Channel::Telegram, 1),
    ];
    repos.deliveries.add(&all).await.unwrap();

    let batch = repos.deliveries.pending_of(Channel::Email, a, 10).await.unwrap();

    assert_eq!(batch.iter().map(|d| d.seq).collect::<Vec<_>>(), vec![3, 9]);
    assert_eq!(repos.deliveries.pending_of(Channel::Email, a, 1).await.unwrap().len(), 1);
}

/// `save` stores the state a sender reached; an unknown delivery is `NotFound`.
pub async fn save_stores_the_senders_outcome(repos: &Repositories) {
    let user = UserId::new();
    let mut d = delivery(user, 1, Channel::Telegram, 0);
    repos.deliveries.add(&[d.clone()]).await.unwrap();
    d.failed("502 bad gateway", at(1), None);
    repos.deliveries.save(&d).await.unwrap();
    assert_eq!(repos.deliveries.pending_of(Channel::Telegram, user, 5).await.unwrap(), vec![d.clone()]);
    assert!(repos.deliveries.due(Channel::Telegram, at(2), 5).await.unwrap().is_empty(), "backing off");

    d.dead("403 blocked", at(40));
    repos.deliveries.save(&d).await.unwrap();

    assert!(repos.deliveries.pending_of(Channel::Telegram, user, 5).await.unwrap().is_empty());
    assert_eq!(repos.deliveries.pending_count(Channel::Telegram).await.unwrap(), 0);
    assert_eq!(d.status, DeliveryStatus::Dead);
    assert_not_found(repos.deliveries.save(&delivery(user, 2, Channel::Email, 0)).await);
}

/// Erasing a user's deliveries leaves the others'.
pub async fn delete_of_erases_only_the_users_deliveries(repos: &Repositories) {
    let (a, b) = (UserId::new(), UserId::new());
    let all =
        [delivery(a, 1, Channel::Email, 0), delivery(a, 2, Channel::Telegram, 0), delivery(b, 3, Channel::Email, 0)];
    repos.deliveries.add(&all).await.unwrap();

    assert_eq!(repos.deliveries.delete_of(a).await.unwrap(), 2);

    assert_eq!(repos.deliveries.pending_count(Channel::Email).await.unwrap(), 1);
    assert_eq!(repos.deliveries.pending_of(Channel::Email, b, 5).await.unwrap().len(), 1);
}

/// A cursor starts at 0, moves, and cursors are independent by name.
pub async fn cursors_start_at_zero_and_move(repos: &Repositories) {
    assert_eq!(repos.cursors.get("dispatch:email").await.unwrap(), 0);
    repos.cursors.set("dispatch:email", 42).await.unwrap();
    repos.cursors.set("dispatch:email", 43).await.unwrap();
    repos.cursors.set("dispatch:telegram", 7).await.unwrap();

    assert_eq!(repos.cursors.get("dispatch:email").await.unwrap(), 43);
    assert_eq!(repos.cursors.get("dispatch:telegram").await.unwrap(), 7);
}
