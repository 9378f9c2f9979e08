//! The live stream of a user's events (Server-Sent Events). It reads the event log, not the
//! memory of one process, so it works across instances: it asks the store for the user's events
//! after the last one sent, every `poll_interval`, or at once when this process's relay nudges
//! it. It holds at most one batch per connection (the next batch is read only once the client
//! took the previous one), sends a heartbeat when idle, and caps each user's connections.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::notifications::{EventFilter, EventRepository, StoredEvent};
use domain::shared::ids::UserId;
use domain::PageRequest;
use futures::Stream;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::Unexpected;

/// How streams behave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamConfig {
    /// How often an idle stream asks the store for new events.
    pub poll_interval: Duration,
    /// The longest silence before a heartbeat.
    pub heartbeat: Duration,
    /// The most events read (and held) at once per connection.
    pub batch: u64,
    /// The most streams one user may hold open on one instance.
    pub max_per_user: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(500),
            heartbeat: Duration::from_secs(15),
            batch: 100,
            max_per_user: 5,
        }
    }
}

/// What a stream yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamItem {
    /// One of the user's events, in `seq` order.
    Event(Box<StoredEvent>),
    /// Nothing happened for `heartbeat`: a sign of life (keeps proxies from closing the line).
    Heartbeat,
}

/// Why a stream cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The user already holds the most streams allowed.
    #[error("at most {limit} live streams per user; close one first")]
    TooMany {
        /// The limit.
        limit: usize,
    },
    /// The store failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(StreamError);

type OpenCounts = Arc<Mutex<HashMap<UserId, usize>>>;

/// Opens users' live streams.
pub struct EventStreams {
    events: Arc<dyn EventRepository>,
    config: StreamConfig,
    open: OpenCounts,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for EventStreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStreams").field("config", &self.config).finish_non_exhaustive()
    }
}

impl EventStreams {
    /// Streams over the event log.
    pub fn new(events: Arc<dyn EventRepository>, config: StreamConfig) -> Self {
        Self { events, config, open: OpenCounts::default(), wake: Arc::new(Notify::new()) }
    }

    /// How streams behave.
    pub fn config(&self) -> StreamConfig {
        self.config
    }

    /// Wakes every waiting stream of this process to read the log now (the relay calls it after
    /// recording events); streams of other instances find them at their next poll.
    pub fn nudge(&self) {
        self.wake.notify_waiters();
    }

    /// How many streams `user` holds open here.
    pub fn open_count(&self, user: UserId) -> usize {
        lock(&self.open).get(&user).copied().unwrap_or(0)
    }

    /// A stream of `user`'s events after `last_seen` (a `seq`), or after the newest one now when
    /// `None`. The connection slot is freed when the stream is dropped (the client left).
    pub async fn open(
        &self,
        user: UserId,
        last_seen: Option<u64>,
    ) -> Result<impl Stream<Item = StreamItem> + Send + 'static, StreamError> {
        let slot = Slot::take(&self.open, user, self.config.max_per_user)?;
        let seq = match last_seen {
            Some(seq) => seq,
            None => self.newest_seq(user).await?,
        };
        let cursor = Cursor {
            events: self.events.clone(),
            wake: self.wake.clone(),
            config: self.config,
            user,
            seq,
            buffer: VecDeque::new(),
            next_heartbeat: Instant::now() + self.config.heartbeat,
            _slot: slot,
        };
        Ok(futures::stream::unfold(cursor, Cursor::next))
    }

    /// The highest `seq` among `user`'s newest events (0 when there is none).
    async fn newest_seq(&self, user: UserId) -> Result<u64, StreamError> {
        let page = self.events.list(user, &EventFilter::default(), PageRequest::new(0, 20)).await?;
        Ok(page.items.iter().map(|e| e.seq).max().unwrap_or(0))
    }
}

fn lock(open: &OpenCounts) -> std::sync::MutexGuard<'_, HashMap<UserId, usize>> {
    open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One of a user's connection slots, given back on drop.
struct Slot {
    open: OpenCounts,
    user: UserId,
}

impl Slot {
    fn take(open: &OpenCounts, user: UserId, limit: usize) -> Result<Self, StreamError> {
        let mut counts = lock(open);
        let count = counts.entry(user).or_insert(0);
        if *count >= limit {
            return Err(StreamError::TooMany { limit });
        }
        *count += 1;
        Ok(Self { open: open.clone(), user })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = lock(&self.open);
        if let Some(count) = counts.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.user);
            }
        }
    }
}

/// Where a stream is: the last `seq` sent and the batch read but not yet sent.
struct Cursor {
    events: Arc<dyn EventRepository>,
    wake: Arc<Notify>,
    config: StreamConfig,
    user: UserId,
    seq: u64,
    buffer: VecDeque<StoredEvent>,
    next_heartbeat: Instant,
    _slot: Slot,
}

impl Cursor {
    async fn next(mut self) -> Option<(StreamItem, Self)> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.seq = event.seq;
                self.next_heartbeat = Instant::now() + self.config.heartbeat;
                return Some((StreamItem::Event(Box::new(event)), self));
            }
            // Listen before reading, so a nudge that comes during the read is not lost.
            let wake = self.wake.clone();
            let notified = wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.events.after(Some(self.user), self.seq, self.config.batch).await {
                Ok(batch) if !batch.is_empty() => {
                    self.buffer.extend(batch);
                    continue;
                }
                Ok(_) => {}
                // A store hiccup ends nothing: the client keeps its line and the next poll retries.
                Err(err) => {
                    tracing::warn!(user = %self.user, error = %err, "live stream: reading the event log failed")
                }
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
                () = tokio::time::sleep_until(self.next_heartbeat) => {
                    self.next_heartbeat = Instant::now() + self.config.heartbeat;
                    return Some((StreamItem::Heartbeat, self));
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
