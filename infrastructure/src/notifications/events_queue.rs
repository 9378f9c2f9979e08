//! The event queue of [`StoreEventRepository`]: events no aggregate's write carries (a plan
//! limit reached, a market anomaly, a disabled webhook endpoint), kept in `event_queue` until the
//! relay moves them into the log.

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
    event: String,
}

impl StoreEventRepository {
    /// Queues `events`; an id queued already is kept as it is.
    pub(super) async fn enqueue_all(&self, events: &[Event]) -> Result<(), RepoError> {
        for event in events {
            let doc = QueuedDocument { id: event.id, user_id: event.user_id, at: event.at, event: event_text(event)? };
            match codec::insert(&*self.store, Self::QUEUE, &doc).await {
                Ok(()) | Err(RepoError::Duplicate { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Up to `limit` queued events, oldest first.
    pub async fn queued(&self, limit: u64) -> Result<Vec<Event>, RepoError> {
        let query = Query::all().asc("at").asc(ID).limit(limit);
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
