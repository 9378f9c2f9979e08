//! Contract of the webhook sender's due query (`WebhookDeliveryRepository::due`): the longest due
//! first, up to the limit, only what is due, and leaving out the endpoints the sender skips. Run
//! under the SQLite plan check, so the `skip` list is checked on the due index's rows.

use domain::notifications::EventType;
use domain::shared::ids::{EventId, UserId};
use domain::webhooks::{Delivery, WebhookDeliveryRepository, WebhookEndpointId};
use infrastructure::repositories::Repositories;

use super::fixtures::at;

/// `due` answers the due deliveries oldest first, without the skipped endpoints'.
pub async fn due_leaves_out_the_skipped_endpoints(repos: &Repositories) {
    let (_, deliveries) = infrastructure::webhooks::repositories(repos.store.clone()).await.unwrap();
    let user = UserId::new();
    let (slow, fast) = (WebhookEndpointId::new(), WebhookEndpointId::new());
    let mut stored = Vec::new();
    for (i, endpoint) in [slow, slow, fast, slow, fast].into_iter().enumerate() {
        let delivery =
            Delivery::new(user, endpoint, (EventId::new(), EventType::BotTripped), "{}".into(), at(i as i64));
        assert!(deliveries.insert(&delivery).await.unwrap());
        stored.push(delivery.id);
    }
    let ids = |found: Vec<Delivery>| found.into_iter().map(|d| d.id).collect::<Vec<_>>();

    assert_eq!(ids(deliveries.due(at(10), 10, &[]).await.unwrap()), stored);
    assert_eq!(ids(deliveries.due(at(10), 2, &[]).await.unwrap()), stored[..2].to_vec());
    assert_eq!(ids(deliveries.due(at(2), 10, &[]).await.unwrap()), stored[..3].to_vec(), "only what is due");
    let others = deliveries.due(at(10), 10, &[slow]).await.unwrap();
    assert_eq!(ids(others), vec![stored[2].clone(), stored[4].clone()]);
    assert!(deliveries.due(at(10), 10, &[slow, fast]).await.unwrap().is_empty());
}
