//! The event queue of [`StoreEventRepository`]: events no aggregate's write carries (a plan
//! limit reached, a market anomaly, a disabled webhook endpoint), kept in `event_queue` until the
//! relay moves them into the log, in the order they were queued: each carries an `order` key
//! (microseconds, see [`queue_order`]), so events of the same millisecond (their `at`) keep it.

use std::sync::atomic::{AtomicI64, Ordering};

use domain::notifications::Event;
use domain::shared::ids::{EventId, UserId};
use domain::RepoError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::events::{event_text, ids_of, parse_event, StoreEventRepository};
use crate::repositories::codec::{self, millis};
use crate::store::{Query, ID};

/// The stored form of a queued [`Event`].
#[derive(Serialize, Deserialize)]
struct QueuedDocument {
    #[serde(rename = "_id")]
    id: EventId,
    user_id: UserId,
    #[serde(with = "millis")]
    at: OffsetDateTime,
    /// The queue's order (events queued before this key existed have none: they go first).
    #[serde(default)]
    order: i64,
    event: String,
}

/// The last key [`queue_order`] gave in this process.
static LAST_ORDER: AtomicI64 = AtomicI64::new(i64::MIN);

/// The queue's key of an event raised at `at`: its time in microseconds, or one more than the
/// key given before in this process when that is not less (events of one millisecond, a clock
/// that stepped back), so that the keys of one process follow the order events were queued in.
/// Several instances' events interleave by time.
pub(super) fn queue_order(at: OffsetDateTime) -> i64 {
    let micros = i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX);
    let mut last = LAST_ORDER.load(Ordering::Relaxed);
    loop {
        let next = micros.max(last.saturating_add(1));
        match LAST_ORDER.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

impl StoreEventRepository {
    /// Queues `events`; an id queued already is kept as it is.
    pub(super) async fn enqueue_all(&self, events: &[Event]) -> Result<(), RepoError> {
        for event in events {
            let doc = QueuedDocument {
                id: event.id,
                user_id: event.user_id,
                at: event.at,
                order: queue_order(event.at),
                event: event_text(event)?,
            };
            match codec::insert(&*self.store, Self::QUEUE, &doc).await {
                Ok(()) | Err(RepoError::Duplicate { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Up to `limit` queued events, in the order they were queued.
    pub async fn queued(&self, limit: u64) -> Result<Vec<Event>, RepoError> {
        let query = Query::all().asc("order").asc(ID).limit(limit);
        let docs: Vec<QueuedDocument> = codec::find_all(&*self.store, Self::QUEUE, &query).await?;
        docs.iter().map(|d| parse_event(Self::QUEUE, &d.event)).collect()
    }

    /// Removes queued events (once recorded), in one write.
    pub async fn dequeue(&self, ids: &[EventId]) -> Result<(), RepoError> {
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        self.store.delete_ids(Self::QUEUE, &ids).await.map(drop)
    }

    /// How many events wait in the queue.
    pub async fn queue_depth(&self) -> Result<u64, RepoError> {
        self.store.count(Self::QUEUE, &Query::all()).await
    }

    /// Erases `user`'s queued events (account deletion).
    pub(super) async fn erase_queued(&self, user: UserId) -> Result<(), RepoError> {
        let queued = self.store.find(Self::QUEUE, &Query::all().eq("user_id", user.to_string())).await?;
        self.store.delete_ids(Self::QUEUE, &ids_of(&queued)?).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn keys_follow_the_queueing_order_within_a_millisecond_and_after_a_step_back() {
        let at = datetime!(2030-01-01 0:00 UTC);
        let (a, b) = (queue_order(at), queue_order(at));
        assert!(a < b, "same instant: {a} then {b}");
        assert!(queue_order(at - time::Duration::seconds(1)) > b, "a clock that stepped back");
        assert!(
            queue_order(at + time::Duration::hours(1)) >= (at + time::Duration::hours(1)).unix_timestamp() * 1_000_000
        );
    }
}
