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
        for mut delivery in group {
            let attempt = self.attempt(&endpoint, &delivery, false).await?;
            let succeeded = attempt.succeeded();
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
