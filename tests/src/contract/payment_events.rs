//! Contract of `PaymentEventRepository`.

use domain::shared::ids::UserId;
use domain::subscriptions::{EventOutcome, PaymentEventRecord, PaymentProvider};
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::at;
use super::{assert_conflict, assert_duplicate, assert_not_found};

fn event(provider: PaymentProvider, id: &str, received: i64) -> PaymentEventRecord {
    PaymentEventRecord::claim(provider, id, "invoice.paid", at(received))
}

/// `create` stores version 1; `get` finds it by provider and event id.
pub async fn create_then_get(repos: &Repositories) {
    let created = repos.payment_events.create(&event(PaymentProvider::Stripe, "evt_1", 0)).await.unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(repos.payment_events.get(PaymentProvider::Stripe, "evt_1").await.unwrap(), created);
    assert_not_found(repos.payment_events.get(PaymentProvider::Mercadopago, "evt_1").await);
}

/// The same provider event is claimed once; another provider may reuse the id.
pub async fn one_record_per_provider_event(repos: &Repositories) {
    repos.payment_events.create(&event(PaymentProvider::Stripe, "evt_1", 0)).await.unwrap();
    let again = repos.payment_events.create(&event(PaymentProvider::Stripe, "evt_1", 1)).await;
    assert_duplicate(again, "payment_events_provider_event");
    repos.payment_events.create(&event(PaymentProvider::Mercadopago, "evt_1", 2)).await.unwrap();
}

/// `update` bumps the version and refuses a stale one.
pub async fn update_checks_version(repos: &Repositories) {
    let created = repos.payment_events.create(&event(PaymentProvider::Stripe, "evt_1", 0)).await.unwrap();
    let applied = PaymentEventRecord {
        outcome: EventOutcome::Applied,
        user_id: Some(UserId::new()),
        detail: Some("PRO active".into()),
        deliveries: 2,
        updated_at: at(3),
        ..created.clone()
    };
    let updated = repos.payment_events.update(&applied).await.unwrap();
    assert_eq!(updated, PaymentEventRecord { version: 2, ..applied });
    assert_eq!(repos.payment_events.get(PaymentProvider::Stripe, "evt_1").await.unwrap(), updated);
    assert_conflict(repos.payment_events.update(&created).await);
}

/// `list` is newest first, optionally one user's.
pub async fn list_newest_first_by_user(repos: &Repositories) {
    let ana = UserId::new();
    for (n, user) in [(1, Some(ana)), (2, None), (3, Some(ana))] {
        let record = PaymentEventRecord { user_id: user, ..event(PaymentProvider::Stripe, &format!("evt_{n}"), n) };
        repos.payment_events.create(&record).await.unwrap();
    }
    let all = repos.payment_events.list(None, PageRequest::first()).await.unwrap();
    let ids: Vec<&str> = all.items.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["evt_3", "evt_2", "evt_1"]);
    let anas = repos.payment_events.list(Some(ana), PageRequest::new(0, 1)).await.unwrap();
    assert_eq!((anas.total, anas.items[0].event_id.as_str()), (2, "evt_3"));
}
