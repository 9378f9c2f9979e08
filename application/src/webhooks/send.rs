//! The sender: signs and POSTs the due deliveries, several endpoints at once and a few requests
//! per endpoint, logs each attempt, schedules the retries, and disables an endpoint that failed
//! for 24 hours, telling its owner.
//!
//! A pass keeps taking due deliveries for its time budget ([`WebhookConfig::pass_budget`]): each
//! endpoint's share runs on its own, and as soon as one finishes the next due deliveries are read,
//! leaving out the endpoints still busy (so no delivery is in flight twice) and those done for the
//! pass (down, disabled, or out of time). A slow endpoint thus holds up only its own deliveries,
//! and one endpoint's backlog never fills the batch the others wait behind.
//!
//! [`WebhookConfig::pass_budget`]: super::WebhookConfig::pass_budget

use std::collections::{BTreeMap, HashSet};

use domain::notifications::{Event, EventPayload, WebhookDisabledData};
use domain::webhooks::{Attempt, Delivery, DeliveryStatus, WebhookEndpoint, WebhookEndpointId, WebhookRequest};
use domain::RepoError;
use futures::stream::{FuturesOrdered, FuturesUnordered};
use futures::StreamExt as _;
use rand::Rng as _;
use serde::Serialize;
use tokio::time::Instant;

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

/// How one endpoint's share of a pass ended.
struct GroupOutcome {
    endpoint: WebhookEndpointId,
    report: SendReport,
    /// Down, disabled, gone or out of time: no more of its deliveries this pass.
    done: bool,
}

impl WebhookService {
    /// Sends the deliveries due now, for at most the pass budget.
    pub async fn send_due(&self) -> Result<SendReport, WebhookError> {
        let deadline = Instant::now() + self.config.pass_budget;
        let mut report = SendReport::default();
        let mut busy: HashSet<WebhookEndpointId> = HashSet::new();
        let mut done: HashSet<WebhookEndpointId> = HashSet::new();
        let mut running = FuturesUnordered::new();
        loop {
            // Read what is due, leaving out the endpoints busy or done; again at once after a read
            // that started shares (the others' deliveries may sit behind them), else after a
            // share ends.
            let mut started = false;
            if Instant::now() < deadline && running.len() < self.config.concurrency.max(1) {
                let skip: Vec<WebhookEndpointId> = busy.union(&done).copied().collect();
                let due = self.ports.deliveries.due(self.now(), self.config.send_batch, &skip).await?;
                let mut by_endpoint: BTreeMap<WebhookEndpointId, Vec<Delivery>> = BTreeMap::new();
                for delivery in due {
                    by_endpoint.entry(delivery.endpoint_id).or_default().push(delivery);
                }
                for (endpoint, group) in by_endpoint {
                    if running.len() >= self.config.concurrency.max(1) {
                        break;
                    }
                    busy.insert(endpoint);
                    running.push(self.send_group(endpoint, group, deadline));
                    started = true;
                }
            }
            if started {
                continue;
            }
            let Some(outcome) = running.next().await else { break };
            let outcome = outcome?;
            report.add(outcome.report);
            busy.remove(&outcome.endpoint);
            if outcome.done {
                done.insert(outcome.endpoint);
            }
        }
        report.pending = self.ports.deliveries.pending_count().await?;
        Ok(report)
    }

    /// Sends one endpoint's due deliveries, a few at once, applying their outcomes in order, until
    /// they are sent, the endpoint stops answering or the pass's `deadline`; then stores the
    /// endpoint's health once.
    async fn send_group(
        &self,
        endpoint_id: WebhookEndpointId,
        group: Vec<Delivery>,
        deadline: Instant,
    ) -> Result<GroupOutcome, WebhookError> {
        let mut report = SendReport::default();
        let Some(first) = group.first() else { return Ok(GroupOutcome { endpoint: endpoint_id, report, done: false }) };
        let endpoint = match self.ports.endpoints.get(first.user_id, first.endpoint_id).await {
            Ok(endpoint) if endpoint.enabled => endpoint,
            Ok(_) | Err(RepoError::NotFound) => {
                for mut delivery in group {
                    delivery.give_up();
                    self.store_delivery(&delivery).await?;
                    report.dead += 1;
                }
                return Ok(GroupOutcome { endpoint: endpoint_id, report, done: false });
            }
            Err(err) => return Err(err.into()),
        };
        let target = endpoint.clone();
        let mut endpoint = endpoint;
        let (healthy_before, enabled_before) = (endpoint.failing_since, endpoint.enabled);
        let mut queue = group.into_iter();
        let mut in_flight = FuturesOrdered::new();
        let (mut stop, mut done) = (false, false);
        // One request until the endpoint has answered once, so a down endpoint costs one attempt
        // (and one time-out) per pass; then a few at once.
        let mut window = 1;
        loop {
            while !stop && in_flight.len() < window {
                if Instant::now() >= deadline {
                    (stop, done) = (true, true);
                    break;
                }
                let Some(delivery) = queue.next() else { break };
                let target = &target;
                in_flight.push_back(async move {
                    let attempt = self.attempt(target, &delivery, false).await;
                    (delivery, attempt)
                });
            }
            // Once stopped, the requests already sent still have their outcome recorded.
            let Some((mut delivery, attempt)) = in_flight.next().await else { break };
            let attempt = attempt?;
            let succeeded = attempt.succeeded();
            let unanswered = attempt.status.is_none();
            if !unanswered {
                window = self.config.per_endpoint.max(1);
            }
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
                (stop, done) = (true, true);
            }
            if unanswered {
                // Down or timing out: the rest wait for the next pass rather than each taking
                // the time-out here.
                (stop, done) = (true, true);
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
        Ok(GroupOutcome { endpoint: endpoint_id, report, done })
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
    use std::sync::atomic::Ordering;
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

    /// An enabled endpoint of `user` at `url`, created at `now`, accepting every event.
    fn endpoint_at(user: UserId, url: &str, now: time::OffsetDateTime) -> WebhookEndpoint {
        WebhookEndpoint {
            id: WebhookEndpointId::new(),
            user_id: user,
            url: EndpointUrl::parse(url, false).unwrap(),
            events: EventSelection::All,
            description: None,
            secret: PlainCipher.encrypt(&Secret::new("whsec_x")).unwrap(),
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[tokio::test]
    async fn an_endpoint_that_does_not_answer_gets_one_attempt_per_pass() {
        let now = datetime!(2026-12-04 12:00 UTC);
        let user = UserId::new();
        let endpoint = endpoint_at(user, "https://example.com/hook", now);
        let due: Vec<Delivery> = (0..3)
            .map(|_| Delivery::new(user, endpoint.id, (EventId::new(), EventType::BotTripped), "{}".into(), now))
            .collect();
        let mut deliveries = MockWebhookDeliveryRepository::new();
        deliveries.expect_due().withf(|_, _, skip| skip.is_empty()).return_once(move |_, _, _| Ok(due));
        // The endpoint is done for the pass: the next read leaves it out (and finds nothing else).
        let down = endpoint.id;
        deliveries.expect_due().withf(move |_, _, skip| skip == [down]).returning(|_, _, _| Ok(Vec::new()));
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

    /// Answers 204, after 100 ms for `slow.example.com`; counts the requests to each host.
    #[derive(Default)]
    struct SlowForOne {
        fast: std::sync::atomic::AtomicUsize,
        slow: std::sync::atomic::AtomicUsize,
    }

    #[async_trait::async_trait]
    impl domain::webhooks::WebhookTransport for SlowForOne {
        async fn check(&self, _: &EndpointUrl) -> Result<(), domain::webhooks::DestinationError> {
            Ok(())
        }
        async fn post(&self, request: &WebhookRequest) -> AttemptResult {
            if request.url.as_str().contains("slow") {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                self.slow.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            } else {
                self.fast.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            AttemptResult { status: Some(204), latency: std::time::Duration::ZERO, response: None, error: None }
        }
    }

    #[tokio::test]
    async fn a_slow_endpoint_delays_only_its_own_deliveries() {
        let now = datetime!(2026-12-04 12:00 UTC);
        let user = UserId::new();
        let endpoint = |url: &str| endpoint_at(user, url, now);
        let (slow, fast) = (endpoint("https://slow.example.com/hook"), endpoint("https://fast.example.com/hook"));
        let to = |e: &WebhookEndpoint, n: usize| -> Vec<Delivery> {
            (0..n)
                .map(|_| Delivery::new(user, e.id, (EventId::new(), EventType::BotTripped), "{}".into(), now))
                .collect()
        };
        // The slow endpoint's backlog is the oldest: it fills the first read.
        let (backlog, fresh) = (to(&slow, 40), to(&fast, 30));
        let mut deliveries = MockWebhookDeliveryRepository::new();
        let queue = std::sync::Mutex::new([backlog, fresh].concat());
        deliveries.expect_due().returning(move |_, limit, skip| {
            // The longest due first, without the skipped endpoints; handed out once (the sender
            // stores each, and nothing fails in this test).
            let mut queue = queue.lock().unwrap();
            let (due, rest): (Vec<Delivery>, Vec<Delivery>) =
                queue.drain(..).partition(|d| !skip.contains(&d.endpoint_id));
            let (due, later) =
                (due[..due.len().min(limit as usize)].to_vec(), due[due.len().min(limit as usize)..].to_vec());
            *queue = [later, rest].concat();
            Ok(due)
        });
        deliveries.expect_update().returning(|d| Ok(d.clone()));
        deliveries.expect_pending_count().returning(|| Ok(0));
        let mut endpoints = MockWebhookEndpointRepository::new();
        let known = [slow.clone(), fast.clone()];
        endpoints.expect_get().returning(move |_, id| Ok(known.iter().find(|e| e.id == id).unwrap().clone()));
        let transport = Arc::new(SlowForOne::default());
        let config = WebhookConfig {
            send_batch: 20,
            pass_budget: std::time::Duration::from_millis(300),
            ..WebhookConfig::default()
        };
        let service = WebhookService::new(
            WebhookPorts {
                endpoints: Arc::new(endpoints),
                deliveries: Arc::new(deliveries),
                events: Arc::new(MockEventRepository::new()),
                transport: transport.clone(),
                cipher: Arc::new(PlainCipher),
                clock: Arc::new(FixedClock::new(now)),
            },
            config,
        );

        let report = service.send_due().await.unwrap();

        // The fast endpoint's 30 all went out, though the first read held none of them; the slow
        // one sent one, then four at a time every 100 ms until the 300 ms budget (about 9 of the
        // 20 it was handed), and left the rest for the next pass.
        let (fast, slow) = (transport.fast.load(Ordering::SeqCst), transport.slow.load(Ordering::SeqCst));
        assert_eq!(fast, 30);
        assert!((5..=13).contains(&slow), "{slow} to the slow endpoint");
        assert_eq!(report.sent, (fast + slow) as u64, "every answer recorded, the ones in flight at the deadline too");
        assert_eq!(report.failed, 0);
    }
}
