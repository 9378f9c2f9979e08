//! The sender: signs and POSTs the due deliveries, each endpoint's in turn and several endpoints
//! at once (a slow endpoint delays only its own), logs each attempt, schedules the retries, and
//! disables an endpoint that failed for 24 hours, telling its owner.

use std::collections::BTreeMap;

use domain::notifications::{Event, EventPayload, WebhookDisabledData};
use domain::webhooks::{Attempt, Delivery, DeliveryStatus, WebhookEndpoint, WebhookEndpointId, WebhookRequest};
use domain::RepoError;
use futures::StreamExt as _;
use rand::Rng as _;
use serde::Serialize;

use super::{sign, WebhookError, WebhookService, SIGNATURE_HEADER};

/// The most deliveries one pass sends to one endpoint, so a pass stays short; the rest are
/// still due and go in the next passes.
const MAX_PER_ENDPOINT: usize = 20;

/// What one send pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    /// Deliveries the endpoint accepted.
    pub sent: u64,
    /// Failed attempts that will be retried.
    pub failed: u64,
    /// Deliveries given up (24 hours of failures, or a disabled or deleted endpoint).
    pub dead: u64,
    /// Endpoints disabled by this pass.
    pub disabled: u64,
    /// Deliveries still pending after the pass.
    pub pending: u64,
}

impl SendReport {
    fn add(&mut self, other: SendReport) {
        self.sent += other.sent;
        self.failed += other.failed;
        self.dead += other.dead;
        self.disabled += other.disabled;
    }
}

impl WebhookService {
    /// Sends every delivery due now (up to the configured batch).
    pub async fn send_due(&self) -> Result<SendReport, WebhookError> {
        let due = self.ports.deliveries.due(self.now(), self.config.send_batch).await?;
        let mut by_endpoint: BTreeMap<WebhookEndpointId, Vec<Delivery>> = BTreeMap::new();
        for delivery in due {
            by_endpoint.entry(delivery.endpoint_id).or_default().push(delivery);
        }
        let mut report = SendReport::default();
        let mut runs = futures::stream::iter(by_endpoint.into_values().map(|group| self.send_group(group)))
            .buffer_unordered(self.config.concurrency.max(1));
        while let Some(outcome) = runs.next().await {
            report.add(outcome?);
        }
        report.pending = self.ports.deliveries.pending_count().await?;
        Ok(report)
    }

    /// Sends one endpoint's due deliveries in turn, then stores the endpoint's health once.
    async fn send_group(&self, group: Vec<Delivery>) -> Result<SendReport, WebhookError> {
        let mut report = SendReport::default();
        let Some(first) = group.first() else { return Ok(report) };
        let endpoint = match self.ports.endpoints.get(first.user_id, first.endpoint_id).await {
            Ok(endpoint) if endpoint.enabled => endpoint,
            Ok(_) | Err(RepoError::NotFound) => {
                for mut delivery in group {
                    delivery.give_up();
                    self.store_delivery(&delivery).await?;
                    report.dead += 1;
                }
                return Ok(report);
            }
            Err(err) => return Err(err.into()),
        };
        let mut endpoint = endpoint;
        let (healthy_before, enabled_before) = (endpoint.failing_since, endpoint.enabled);
        for mut delivery in group.into_iter().take(MAX_PER_ENDPOINT) {
            let attempt = self.attempt(&endpoint, &delivery, false).await?;
            let succeeded = attempt.succeeded();
            let unanswered = attempt.status.is_none();
            let jitter = rand::thread_rng().gen::<f64>();
            delivery.record_attempt(attempt, &self.config.retry, jitter);
            match delivery.status {
                DeliveryStatus::Delivered => report.sent += 1,
                DeliveryStatus::Dead => report.dead += 1,
                DeliveryStatus::Pending => report.failed += 1,
            }
            self.store_delivery(&delivery).await?;
            if succeeded {
                endpoint.record_success();
            } else if endpoint.record_failure(delivery.updated_at) {
                report.disabled += 1;
                break;
            }
            if unanswered {
                // Down or timing out: the rest wait for the next pass rather than each taking
                // the time-out here, which would hold up every other endpoint's next pass.
                break;
            }
        }
        if endpoint.failing_since != healthy_before || endpoint.enabled != enabled_before {
            let stored = self.ports.endpoints.update(&endpoint).await;
            match stored {
                Ok(_) if !endpoint.enabled => self.tell_disabled(&endpoint).await,
                Ok(_) => {}
                // Its owner changed or deleted it meanwhile: their change wins; the next pass
                // judges the endpoint again.
                Err(RepoError::Conflict | RepoError::NotFound) => report.disabled = 0,
                Err(err) => return Err(err.into()),
            }
        }
        Ok(report)
    }

    /// POSTs `delivery` to `endpoint` once, signed now with the endpoint's current secret.
    pub(super) async fn attempt(
        &self,
        endpoint: &WebhookEndpoint,
        delivery: &Delivery,
        manual: bool,
    ) -> Result<Attempt, WebhookError> {
        let secret = self.ports.cipher.decrypt(&endpoint.secret)?;
        let at = self.now();
        let request = WebhookRequest {
            url: endpoint.url.clone(),
            body: delivery.body.clone(),
            headers: vec![
                (SIGNATURE_HEADER, sign(secret.expose(), at.unix_timestamp(), &delivery.body)),
                ("Botfleet-Event-Id", delivery.event_id.to_string()),
                ("Botfleet-Event-Type", delivery.event_type.as_str().to_owned()),
                ("Botfleet-Delivery-Id", delivery.id.clone()),
            ],
        };
        let result = self.ports.transport.post(&request).await;
        let mut error = result.error;
        if let Some(status) = result.status.filter(|s| !(200..300).contains(s)) {
            error.get_or_insert_with(|| format!("the endpoint answered {status}"));
        }
        let latency_ms = u64::try_from(result.latency.as_millis()).unwrap_or(u64::MAX);
        Ok(Attempt { at, status: result.status, latency_ms, response: result.response, error, manual })
    }

    /// Stores a delivery after an attempt; one deleted meanwhile (its endpoint was) is forgotten.
    async fn store_delivery(&self, delivery: &Delivery) -> Result<(), WebhookError> {
        match self.ports.deliveries.update(delivery).await {
            Ok(_) | Err(RepoError::NotFound) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Queues `webhook.endpoint_disabled` for the endpoint's owner.
    async fn tell_disabled(&self, endpoint: &WebhookEndpoint) {
        let data = WebhookDisabledData {
            endpoint_id: endpoint.id.to_string(),
            url: endpoint.url.as_str().to_owned(),
            reason: endpoint.disabled_reason.clone().unwrap_or_default(),
        };
        let event = Event::new(endpoint.user_id, EventPayload::WebhookEndpointDisabled(data), self.now());
        if let Err(err) = self.ports.events.enqueue(&[event]).await {
            tracing::error!(error = ?err, endpoint = %endpoint.id, "cannot queue webhook.endpoint_disabled");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use domain::credentials::{EncryptedValue, SecretCipher};
    use domain::notifications::{EventType, MockEventRepository};
    use domain::shared::clock::FixedClock;
    use domain::shared::ids::{EventId, UserId};
    use domain::shared::secret::Secret;
    use domain::webhooks::{
        AttemptResult, EndpointUrl, EventSelection, MockWebhookDeliveryRepository, MockWebhookEndpointRepository,
        MockWebhookTransport,
    };
    use time::macros::datetime;

    use super::*;
    use crate::webhooks::{WebhookConfig, WebhookPorts};

    /// Keeps the secret in the clear (the test needs no encryption).
    struct PlainCipher;

    impl SecretCipher for PlainCipher {
        fn encrypt(&self, plaintext: &Secret) -> anyhow::Result<EncryptedValue> {
            Ok(EncryptedValue { key_id: "plain".into(), nonce: String::new(), ciphertext: plaintext.expose().into() })
        }
        fn decrypt(&self, value: &EncryptedValue) -> anyhow::Result<Secret> {
            Ok(Secret::new(value.ciphertext.clone()))
        }
    }

    #[tokio::test]
    async fn an_endpoint_that_does_not_answer_gets_one_attempt_per_pass() {
        let now = datetime!(2026-12-04 12:00 UTC);
        let user = UserId::new();
        let endpoint = WebhookEndpoint {
            id: WebhookEndpointId::new(),
            user_id: user,
            url: EndpointUrl::parse("https://example.com/hook", false).unwrap(),
            events: EventSelection::All,
            description: None,
            secret: PlainCipher.encrypt(&Secret::new("whsec_x")).unwrap(),
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let due: Vec<Delivery> = (0..3)
            .map(|_| Delivery::new(user, endpoint.id, (EventId::new(), EventType::BotTripped), "{}".into(), now))
            .collect();
        let mut deliveries = MockWebhookDeliveryRepository::new();
        deliveries.expect_due().return_once(move |_, _| Ok(due));
        deliveries.expect_update().times(1).returning(|d| Ok(d.clone()));
        deliveries.expect_pending_count().returning(|| Ok(3));
        let mut endpoints = MockWebhookEndpointRepository::new();
        let stored = endpoint.clone();
        endpoints.expect_get().return_once(move |_, _| Ok(stored));
        endpoints.expect_update().withf(move |e| e.failing_since == Some(now)).times(1).returning(|e| Ok(e.clone()));
        let mut transport = MockWebhookTransport::new();
        transport.expect_post().times(1).returning(|_| AttemptResult {
            status: None,
            latency: std::time::Duration::from_secs(10),
            response: None,
            error: Some("timed out".into()),
        });
        let service = WebhookService::new(
            WebhookPorts {
                endpoints: Arc::new(endpoints),
                deliveries: Arc::new(deliveries),
                events: Arc::new(MockEventRepository::new()),
                transport: Arc::new(transport),
                cipher: Arc::new(PlainCipher),
                clock: Arc::new(FixedClock::new(now)),
            },
            WebhookConfig::default(),
        );

        let report = service.send_due().await.unwrap();

        assert_eq!(report, SendReport { sent: 0, failed: 1, dead: 0, disabled: 0, pending: 3 });
    }
}
