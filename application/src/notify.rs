//! Events no aggregate's write carries (a plan refusal, a market anomaly, a refund): queued
//! through [`EventRepository::enqueue`], best effort (a failure is logged and never fails the
//! action that raised it). Some are capped: one event per user and subject per hour. The cap
//! needs no state: the event's id is derived from the user, the subject and the hour, and the
//! event log ignores an id it already holds, so a second event of the same hour (on any
//! instance) is dropped. A keyed event ([`keyed_event`]) is the same without the hour: one per
//! subject, ever.

use std::sync::Arc;

use domain::notifications::{Event, EventPayload, EventRepository};
use domain::shared::ids::{EventId, UserId};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Where events no aggregate carries are queued; absent, they are not raised.
#[derive(Clone, Default)]
pub struct EventSink(Option<Arc<dyn EventRepository>>);

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("EventSink").field(&self.0.as_ref().map(|_| "EventRepository")).finish()
    }
}

/// The hour an hourly event belongs to, in milliseconds since the epoch.
fn hour_of(at: OffsetDateTime) -> u64 {
    let seconds = u64::try_from(at.unix_timestamp()).unwrap_or_default();
    seconds / 3600 * 3600 * 1000
}

/// The id of `user`'s event about `subject` in the hour of `at`: a ULID whose time is the
/// hour's start and whose random part is a digest of the user and the subject.
pub(crate) fn hourly_id(user: UserId, subject: &str, at: OffsetDateTime) -> EventId {
    digest_id(user, subject, hour_of(at))
}

/// `user`'s one event about `subject` (a refund of one payment up to one amount): its id is a
/// ULID whose time is `anchor` (a time that belongs to the subject, the same at every retry) and
/// whose random part is a digest of the user and the subject, so the event log keeps it once
/// however many times it is queued (a redelivered notification, the operator's refund and then
/// the provider's notice of it).
pub(crate) fn keyed_event(
    user: UserId,
    subject: &str,
    anchor: OffsetDateTime,
    payload: EventPayload,
    at: OffsetDateTime,
) -> Event {
    let millis = u64::try_from(anchor.unix_timestamp_nanos() / 1_000_000).unwrap_or_default();
    Event { id: digest_id(user, subject, millis), ..Event::new(user, payload, at) }
}

/// A ULID of time `millis` whose random part is a digest of `user` and `subject`.
fn digest_id(user: UserId, subject: &str, millis: u64) -> EventId {
    let digest = Sha256::digest(format!("{user}\n{subject}").as_bytes());
    let mut random = [0u8; 16];
    random[6..].copy_from_slice(&digest[..10]);
    let ulid = ulid::Ulid::from_parts(millis, u128::from_be_bytes(random));
    EventId::parse(&ulid.to_string()).expect("a ULID's text is an event id")
}

/// `user`'s event about `subject`, at most one per hour (see the module's note).
pub(crate) fn hourly_event(user: UserId, subject: &str, payload: EventPayload, at: OffsetDateTime) -> Event {
    Event { id: hourly_id(user, subject, at), ..Event::new(user, payload, at) }
}

impl EventSink {
    /// A sink into `events`.
    pub fn new(events: Arc<dyn EventRepository>) -> Self {
        Self(Some(events))
    }

    /// Queues `events` for the relay; a failure is logged, never returned.
    pub(crate) async fn enqueue(&self, events: &[Event]) {
        let Some(repository) = &self.0 else { return };
        if events.is_empty() {
            return;
        }
        if let Err(err) = repository.enqueue(events).await {
            let kind = events[0].event_type();
            tracing::warn!(error = ?err, event = %kind, count = events.len(), "could not queue events; they are lost");
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn one_id_per_user_subject_and_hour() {
        let (a, b) = (UserId::new(), UserId::new());
        let at = datetime!(2026-12-04 10:05 UTC);
        let same_hour = datetime!(2026-12-04 10:59:59 UTC);
        let next_hour = datetime!(2026-12-04 11:00 UTC);

        assert_eq!(hourly_id(a, "binance BTC-USDT", at), hourly_id(a, "binance BTC-USDT", same_hour));
        assert_ne!(hourly_id(a, "binance BTC-USDT", at), hourly_id(a, "binance BTC-USDT", next_hour));
        assert_ne!(hourly_id(a, "binance BTC-USDT", at), hourly_id(b, "binance BTC-USDT", at));
        assert_ne!(hourly_id(a, "binance BTC-USDT", at), hourly_id(a, "binance ETH-USDT", at));
        let ulid = ulid::Ulid::from_string(&hourly_id(a, "x", at).to_string()).unwrap();
        assert_eq!(ulid.timestamp_ms(), 1_796_378_400_000, "the hour's start: 2026-12-04 10:00 UTC");
    }

    #[test]
    fn a_keyed_event_has_one_id_whenever_it_is_raised() {
        let (a, b) = (UserId::new(), UserId::new());
        let anchor = datetime!(2026-12-04 10:05:00.123 UTC);
        let payload = || {
            EventPayload::PlanLimitReached(domain::notifications::PlanLimitData {
                plan: "free".into(),
                limit: "bots".into(),
                max: Some(2),
                upgrade_to: Some("pro".into()),
            })
        };
        let id = |user, subject: &str, anchor, at| keyed_event(user, subject, anchor, payload(), at).id;
        let (now, days_later) = (datetime!(2026-12-04 10:06 UTC), datetime!(2026-12-09 08:00 UTC));

        let first = id(a, "payment.refunded c1 5", anchor, now);
        assert_eq!(first, id(a, "payment.refunded c1 5", anchor, days_later), "raised again days later");
        assert_ne!(first, id(a, "payment.refunded c1 19.9", anchor, now), "a refund that grew");
        assert_ne!(first, id(b, "payment.refunded c1 5", anchor, now));
        let ulid = ulid::Ulid::from_string(&first.to_string()).unwrap();
        assert_eq!(ulid.timestamp_ms(), 1_796_378_700_123, "the anchor's millisecond");
        assert_eq!(keyed_event(a, "s", anchor, payload(), now).at, now, "the event is dated when raised");
    }
}
