//! The dispatcher: reads the event log after its cursor and creates one delivery per event and
//! endpoint that wants it (id `<event id>:<endpoint id>`, so a batch handled twice after a crash
//! creates nothing twice), then moves the cursor past the batch.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use domain::shared::ids::UserId;
use domain::webhooks::{Delivery, WebhookEndpoint};
use serde::Serialize;

use super::{WebhookError, WebhookService};

/// The most batches one pass reads, so one pass stays short however far behind it is.
const MAX_BATCHES: usize = 20;

/// What one dispatch pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DispatchReport {
    /// Events read from the log.
    pub events: u64,
    /// Deliveries created.
    pub deliveries: u64,
    /// The cursor after the pass.
    pub cursor: u64,
}

impl WebhookService {
    /// Turns the events logged since the cursor into deliveries.
    pub async fn dispatch(&self) -> Result<DispatchReport, WebhookError> {
        let mut report = DispatchReport { cursor: self.ports.deliveries.cursor().await?, ..Default::default() };
        for _ in 0..MAX_BATCHES {
            let batch = self.ports.events.after(None, report.cursor, self.config.batch).await?;
            let Some(last) = batch.last().map(|e| e.seq) else { break };
            // One read of each user's endpoints per batch: a burst of one user's fills is one read.
            let mut endpoints: HashMap<UserId, Vec<WebhookEndpoint>> = HashMap::new();
            let now = self.now();
            for stored in &batch {
                let event = &stored.event;
                let of_user = match endpoints.entry(event.user_id) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(slot) => slot.insert(self.ports.endpoints.enabled_of(event.user_id).await?),
                };
                let wanted = of_user.iter().filter(|e| e.wants(event.event_type()));
                let mut body = None;
                for endpoint in wanted {
                    let body = match &body {
                        Some(body) => String::clone(body),
                        None => body.insert(serde_json::to_string(event).map_err(anyhow::Error::from)?).clone(),
                    };
                    let delivery = Delivery::new(event.user_id, endpoint.id, (event.id, event.event_type()), body, now);
                    if self.ports.deliveries.insert(&delivery).await? {
                        report.deliveries += 1;
                    }
                }
            }
            report.events += batch.len() as u64;
            report.cursor = last;
            self.ports.deliveries.set_cursor(last).await?;
            if (batch.len() as u64) < self.config.batch {
                break;
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use domain::credentials::{EncryptedValue, SecretCipher};
    use domain::notifications::{
        AnomalyData, Event, EventPayload, EventType, MockEventRepository, StoredEvent, WebhookDisabledData,
    };
    use domain::shared::clock::FixedClock;
    use domain::shared::secret::Secret;
    use domain::webhooks::{
        EndpointUrl, EventSelection, MockWebhookDeliveryRepository, MockWebhookEndpointRepository,
        MockWebhookTransport, WebhookEndpointId,
    };
    use time::macros::datetime;

    use super::*;
    use crate::webhooks::{WebhookConfig, WebhookPorts};

    /// The dispatcher never opens a secret.
    struct NoCipher;

    impl SecretCipher for NoCipher {
        fn encrypt(&self, _: &Secret) -> anyhow::Result<EncryptedValue> {
            anyhow::bail!("not used")
        }
        fn decrypt(&self, _: &EncryptedValue) -> anyhow::Result<Secret> {
            anyhow::bail!("not used")
        }
    }

    fn endpoint(user: UserId, events: EventSelection) -> WebhookEndpoint {
        let at = datetime!(2026-12-04 10:00 UTC);
        WebhookEndpoint {
            id: WebhookEndpointId::new(),
            user_id: user,
            url: EndpointUrl::parse("https://example.com/hook", false).unwrap(),
            events,
            description: None,
            secret: EncryptedValue { key_id: "k".into(), nonce: "n".into(), ciphertext: "c".into() },
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    fn stored(user: UserId, seq: u64, payload: EventPayload) -> StoredEvent {
        StoredEvent { event: Event::new(user, payload, datetime!(2026-12-04 11:00 UTC)), seq, read_at: None }
    }

    fn anomaly() -> EventPayload {
        let data = AnomalyData {
            exchange: domain::exchange::ExchangeId::Binance,
            symbol: "BTC-USDT".parse().unwrap(),
            description: "gap".into(),
        };
        EventPayload::MarketAnomaly(data)
    }

    fn disabled() -> EventPayload {
        let data = WebhookDisabledData { endpoint_id: "e".into(), url: "https://x".into(), reason: "r".into() };
        EventPayload::WebhookEndpointDisabled(data)
    }

    #[tokio::test]
    async fn each_event_goes_to_each_endpoint_that_wants_it_once_and_the_cursor_moves() {
        let (alice, bob) = (UserId::new(), UserId::new());
        let every = endpoint(alice, EventSelection::All);
        let anomalies = endpoint(alice, EventSelection::Only([EventType::MarketAnomaly].into()));
        let batch = vec![stored(alice, 8, anomaly()), stored(alice, 9, disabled()), stored(bob, 10, anomaly())];
        let expected = [
            Delivery::id_of(batch[0].event.id, every.id),
            Delivery::id_of(batch[0].event.id, anomalies.id),
            Delivery::id_of(batch[1].event.id, every.id),
        ];

        let mut events = MockEventRepository::new();
        let log = batch.clone();
        events
            .expect_after()
            .withf(|user, after, _| user.is_none() && *after == 7)
            .times(1)
            .return_once(|_, _, _| Ok(log));
        let mut endpoints = MockWebhookEndpointRepository::new();
        let of_alice = vec![every.clone(), anomalies.clone()];
        endpoints.expect_enabled_of().withf(move |u| *u == alice).times(1).return_once(|_| Ok(of_alice));
        endpoints.expect_enabled_of().withf(move |u| *u == bob).times(1).return_once(|_| Ok(Vec::new()));
        let inserted = Arc::new(Mutex::new(Vec::new()));
        let mut deliveries = MockWebhookDeliveryRepository::new();
        deliveries.expect_cursor().return_once(|| Ok(7));
        let seen = inserted.clone();
        deliveries.expect_insert().times(3).returning(move |d| {
            let mut seen = seen.lock().unwrap();
            seen.push(d.clone());
            // The second delivery exists already (a batch handled again after a crash).
            Ok(seen.len() != 2)
        });
        deliveries.expect_set_cursor().withf(|seq| *seq == 10).times(1).returning(|_| Ok(()));
        let service = WebhookService::new(
            WebhookPorts {
                endpoints: Arc::new(endpoints),
                deliveries: Arc::new(deliveries),
                events: Arc::new(events),
                transport: Arc::new(MockWebhookTransport::new()),
                cipher: Arc::new(NoCipher),
                clock: Arc::new(FixedClock::new(datetime!(2026-12-04 12:00 UTC))),
            },
            WebhookConfig::default(),
        );

        let report = service.dispatch().await.unwrap();

        assert_eq!(report, DispatchReport { events: 3, deliveries: 2, cursor: 10 });
        let inserted = inserted.lock().unwrap();
        let ids: Vec<_> = inserted.iter().map(|d| d.id.clone()).collect();
        assert_eq!(ids, expected);
        let body: serde_json::Value = serde_json::from_str(&inserted[0].body).unwrap();
        assert_eq!(body["type"], "market.anomaly");
        assert_eq!(body["id"], batch[0].event.id.to_string());
    }
}
