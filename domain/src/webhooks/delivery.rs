//! One event's delivery to one endpoint: id `<event id>:<endpoint id>` (so dispatching an event
//! twice creates it once), the signed body, each attempt's log, and the retry schedule:
//! exponential backoff with full jitter for 24 hours, then dead.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::endpoint::WebhookEndpointId;
use crate::notifications::EventType;
use crate::shared::ids::{EventId, UserId};

/// How many bytes of a response body an attempt keeps.
pub const RESPONSE_SNIPPET_BYTES: usize = 512;
/// How many attempts a delivery's log keeps (the newest).
pub const MAX_LOGGED_ATTEMPTS: usize = 100;

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; an attempt is due at `next_attempt_at`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up: 24 hours of failures, or the endpoint was disabled or deleted.
    Dead,
}

/// One POST of a delivery and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// When it was sent.
    pub at: OffsetDateTime,
    /// The response status; `None` when no response came (refused address, timeout, network).
    pub status: Option<u16>,
    /// From sending to the response's head (or the failure), in milliseconds.
    pub latency_ms: u64,
    /// The first [`RESPONSE_SNIPPET_BYTES`] bytes of the response body (lossy UTF-8).
    pub response: Option<String>,
    /// Why no response came, or that the status was not 2xx.
    pub error: Option<String>,
    /// Whether its owner asked for it (a redelivery) rather than the schedule.
    pub manual: bool,
}

impl Attempt {
    /// Whether the endpoint accepted the delivery (2xx).
    pub fn succeeded(&self) -> bool {
        matches!(self.status, Some(200..=299))
    }
}

/// The retry schedule: the n-th retry waits a uniformly random time in
/// `[0, min(max_delay, base * 2^(n-1))]` (exponential backoff, "full jitter"), and retries stop
/// `window` after the delivery was created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first retry's ceiling.
    pub base: Duration,
    /// The largest ceiling.
    pub max_delay: Duration,
    /// How long after its creation a delivery is retried.
    pub window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { base: Duration::seconds(30), max_delay: Duration::hours(1), window: Duration::hours(24) }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first), for `jitter` in `[0, 1)`.
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        let doublings = retry.saturating_sub(1).min(30);
        let ceiling = (self.base * (1_i32 << doublings)).min(self.max_delay);
        let millis = ceiling.whole_milliseconds() as f64 * jitter.clamp(0.0, 1.0);
        Duration::milliseconds(millis as i64)
    }
}

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `<event id>:<endpoint id>`.
    pub id: String,
    /// The endpoint's owner (the event's).
    pub user_id: UserId,
    /// The endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// The event (the receiver's idempotency key).
    pub event_id: EventId,
    /// Its type.
    pub event_type: EventType,
    /// The JSON body, fixed when the delivery was created so every attempt sends the same bytes.
    pub body: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Its attempts, oldest first (the newest [`MAX_LOGGED_ATTEMPTS`]).
    pub attempts: Vec<Attempt>,
    /// How many attempts were made in all.
    pub attempt_count: u32,
    /// When the next scheduled attempt is due (pending only).
    pub next_attempt_at: Option<OffsetDateTime>,
    /// Created (the retry window starts here).
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl Delivery {
    /// The id of `event`'s delivery to `endpoint`.
    pub fn id_of(event: EventId, endpoint: WebhookEndpointId) -> String {
        format!("{event}:{endpoint}")
    }

    /// A new delivery of `body`, due now.
    pub fn new(
        user_id: UserId,
        endpoint_id: WebhookEndpointId,
        event: (EventId, EventType),
        body: String,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: Self::id_of(event.0, endpoint_id),
            user_id,
            endpoint_id,
            event_id: event.0,
            event_type: event.1,
            body,
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            attempt_count: 0,
            next_attempt_at: Some(now),
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Logs a scheduled attempt and decides what follows: delivered on 2xx; otherwise another
    /// attempt after the policy's delay (the last one at the window's end), or dead once the
    /// window has passed. `jitter` is uniform in `[0, 1)`.
    pub fn record_attempt(&mut self, attempt: Attempt, policy: &RetryPolicy, jitter: f64) {
        let now = attempt.at;
        let succeeded = attempt.succeeded();
        self.log(attempt);
        if succeeded {
            self.status = DeliveryStatus::Delivered;
            self.next_attempt_at = None;
            return;
        }
        let deadline = self.created_at + policy.window;
        if now >= deadline {
            self.give_up();
        } else {
            let next = now + policy.delay(self.attempt_count, jitter);
            self.next_attempt_at = Some(next.min(deadline));
        }
    }

    /// Logs an attempt its owner asked for: a success delivers it, a failure changes nothing
    /// else (a pending delivery keeps its schedule, a dead one stays dead).
    pub fn record_manual_attempt(&mut self, attempt: Attempt) {
        let succeeded = attempt.succeeded();
        self.log(attempt);
        if succeeded {
            self.status = DeliveryStatus::Delivered;
            self.next_attempt_at = None;
        }
    }

    /// Stops retrying (the window passed, or the endpoint is gone or disabled).
    pub fn give_up(&mut self) {
        if self.status == DeliveryStatus::Pending {
            self.status = DeliveryStatus::Dead;
        }
        self.next_attempt_at = None;
    }

    fn log(&mut self, attempt: Attempt) {
        self.updated_at = attempt.at;
        self.attempt_count = self.attempt_count.saturating_add(1);
        if self.attempts.len() >= MAX_LOGGED_ATTEMPTS {
            self.attempts.remove(0);
        }
        self.attempts.push(attempt);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;

    fn delivery() -> Delivery {
        let event = (EventId::new(), EventType::OrderFilled);
        Delivery::new(UserId::new(), WebhookEndpointId::new(), event, "{}".into(), datetime!(2026-12-04 10:00 UTC))
    }

    fn attempt(at: OffsetDateTime, status: Option<u16>) -> Attempt {
        Attempt { at, status, latency_ms: 5, response: None, error: None, manual: false }
    }

    #[test]
    fn the_id_joins_the_event_and_the_endpoint() {
        let d = delivery();
        assert_eq!(d.id, format!("{}:{}", d.event_id, d.endpoint_id));
        assert_eq!(d.next_attempt_at, Some(d.created_at));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, 1.0), Duration::seconds(30));
        assert_eq!(p.delay(2, 1.0), Duration::seconds(60));
        assert_eq!(p.delay(5, 1.0), Duration::seconds(480));
        assert_eq!(p.delay(8, 1.0), Duration::hours(1));
        assert_eq!(p.delay(1_000, 1.0), Duration::hours(1));
        assert_eq!(p.delay(3, 0.0), Duration::ZERO);
        assert_eq!(p.delay(3, 0.5), Duration::seconds(60));
    }

    #[test]
    fn failures_are_retried_until_the_window_ends_then_dead() {
        let (mut d, p) = (delivery(), RetryPolicy::default());
        let t0 = d.created_at;
        d.record_attempt(attempt(t0, Some(500)), &p, 1.0);
        assert_eq!((d.status, d.next_attempt_at), (DeliveryStatus::Pending, Some(t0 + Duration::seconds(30))));
        let late = t0 + Duration::hours(24) - Duration::seconds(10);
        d.record_attempt(attempt(late, None), &p, 1.0);
        assert_eq!(d.next_attempt_at, Some(t0 + Duration::hours(24)), "the last try is at the window's end");
        d.record_attempt(attempt(t0 + Duration::hours(24), Some(503)), &p, 0.3);
        assert_eq!((d.status, d.next_attempt_at, d.attempt_count), (DeliveryStatus::Dead, None, 3));
    }

    #[test]
    fn a_2xx_delivers_and_a_manual_failure_keeps_the_status() {
        let (mut d, p) = (delivery(), RetryPolicy::default());
        d.record_attempt(attempt(d.created_at, Some(204)), &p, 0.5);
        assert_eq!((d.status, d.next_attempt_at), (DeliveryStatus::Delivered, None));
        let mut dead = delivery();
        dead.give_up();
        dead.record_manual_attempt(attempt(dead.created_at, Some(500)));
        assert_eq!(dead.status, DeliveryStatus::Dead);
        dead.record_manual_attempt(attempt(dead.created_at, Some(200)));
        assert_eq!(dead.status, DeliveryStatus::Delivered);
        assert_eq!(dead.attempts.len(), 2);
    }

    #[test]
    fn the_log_keeps_the_newest_attempts() {
        let (mut d, p) = (delivery(), RetryPolicy::default());
        for i in 0..(MAX_LOGGED_ATTEMPTS as i64 + 5) {
            d.record_attempt(attempt(d.created_at + Duration::seconds(i), Some(500)), &p, 0.0);
        }
        assert_eq!(d.attempts.len(), MAX_LOGGED_ATTEMPTS);
        assert_eq!(d.attempt_count as usize, MAX_LOGGED_ATTEMPTS + 5);
        assert_eq!(d.attempts[0].at, d.created_at + Duration::seconds(5));
    }

    proptest! {
        #[test]
        fn a_delay_never_exceeds_its_ceiling_nor_goes_negative(retry in 0u32..10_000, jitter in 0.0f64..1.0) {
            let p = RetryPolicy::default();
            let delay = p.delay(retry, jitter);
            prop_assert!(delay >= Duration::ZERO && delay <= p.max_delay);
            let doublings = retry.saturating_sub(1).min(20);
            prop_assert!(delay <= p.base * (1_i32 << doublings));
        }

        #[test]
        fn a_failing_delivery_is_never_scheduled_past_its_window(gaps in proptest::collection::vec(0i64..7_200, 1..80)) {
            let (mut d, p) = (delivery(), RetryPolicy::default());
            let mut now = d.created_at;
            for gap in gaps {
                if d.status != DeliveryStatus::Pending { break; }
                now = d.next_attempt_at.unwrap().max(now) + Duration::seconds(gap);
                d.record_attempt(attempt(now, Some(500)), &p, 0.7);
                if let Some(next) = d.next_attempt_at {
                    prop_assert!(next <= d.created_at + p.window && next >= now);
                }
            }
        }
    }
}
