//! The ports of notifications: the user's event log (what every channel reads) and the user's
//! channel preferences.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::event::Event;
use super::preferences::NotificationPreferences;
use super::types::EventType;
use crate::shared::error::RepoError;
use crate::shared::ids::{EventId, UserId};
use crate::shared::page::{Page, PageRequest};

/// An event in the user's log, with its place in the log and whether the user read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    /// The event.
    pub event: Event,
    /// Its place in the log of every user's events: strictly increasing in the order events
    /// were stored, so a reader that saw `seq` misses nothing by asking for what came after it
    /// (the live stream's `Last-Event-ID`, the channels' dispatch cursors).
    pub seq: u64,
    /// When its owner marked it read.
    pub read_at: Option<OffsetDateTime>,
}

/// Which of a user's events to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only these types; `None` for every type.
    pub types: Option<Vec<EventType>>,
    /// Only the unread ones.
    pub unread_only: bool,
}

/// The log of every user's events. Events reach it through aggregates' outboxes and
/// [`EventRepository::enqueue`]; the relay (one at a time, under a lease) is the only writer of
/// the log itself ([`EventRepository::record`]), which is what makes `seq` increase strictly.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait EventRepository: Send + Sync {
    /// Queues events that no aggregate's write carries (a refusal by the plan, a market
    /// anomaly, a disabled webhook endpoint) for the relay. Errors: `Unavailable` only.
    async fn enqueue(&self, events: &[Event]) -> Result<(), RepoError>;

    /// Appends to the log the events it does not hold yet (by id), in order, each with the
    /// next `seq`; returns the new ones as stored. Called by the relay only.
    async fn record(&self, events: &[Event], now: OffsetDateTime) -> Result<Vec<StoredEvent>, RepoError>;

    /// One page of `user`'s events matching `filter`, newest first, with the total.
    async fn list(&self, user: UserId, filter: &EventFilter, page: PageRequest)
        -> Result<Page<StoredEvent>, RepoError>;

    /// One of `user`'s events; `None` when it is not theirs or does not exist.
    async fn get(&self, user: UserId, id: EventId) -> Result<Option<StoredEvent>, RepoError>;

    /// How many of `user`'s events of `types` are unread.
    async fn unread_count(&self, user: UserId, types: &[EventType]) -> Result<u64, RepoError>;

    /// Marks one of `user`'s events read (kept as it is when already read); `false` when it is
    /// not theirs or does not exist.
    async fn mark_read(&self, user: UserId, id: EventId, at: OffsetDateTime) -> Result<bool, RepoError>;

    /// Marks every unread event of `user`'s read; how many changed.
    async fn mark_all_read(&self, user: UserId, at: OffsetDateTime) -> Result<u64, RepoError>;

    /// Up to `limit` events with a `seq` above `after`, in `seq` order: `user`'s, or every
    /// user's for `None` (the channels' dispatchers).
    async fn after(&self, user: Option<UserId>, after: u64, limit: u64) -> Result<Vec<StoredEvent>, RepoError>;

    /// Erases `user`'s events (account deletion); how many.
    async fn delete_of(&self, user: UserId) -> Result<u64, RepoError>;
}

/// Stores each user's [`NotificationPreferences`].
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PreferenceRepository: Send + Sync {
    /// `user`'s preferences: the defaults when they never chose.
    async fn get(&self, user: UserId) -> Result<NotificationPreferences, RepoError>;

    /// Stores `preferences` (replacing the user's previous ones).
    async fn put(&self, preferences: &NotificationPreferences) -> Result<(), RepoError>;

    /// Erases `user`'s preferences (account deletion).
    async fn delete_of(&self, user: UserId) -> Result<(), RepoError>;
}
