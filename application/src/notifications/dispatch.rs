//! A channel's dispatcher: reads the event log after its own cursor and turns each event the
//! user wants on the channel into a pending [`Delivery`] (id `<event id>:<channel>`, so running
//! twice over the same events is harmless), then moves the cursor. The log is the durable buffer:
//! when the channel's queue is full the dispatcher stops reading (nothing is lost, the queue stays
//! bounded), and events older than [`MAX_AGE`] are not sent at all (a channel switched on after a
//! long time off does not replay the past).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::{
    Channel, CursorRepository, Delivery, DeliveryRepository, EventRepository, NotificationPreferences,
    PreferenceRepository,
};
use domain::shared::ids::UserId;
use domain::{Clock, RepoError};
use serde::Serialize;
use time::Duration;

/// Events read per page of the log.
const PAGE: u64 = 500;

/// Pages read per pass at most (the next pass goes on).
const PAGES_PER_PASS: usize = 20;

/// The most pending deliveries a channel holds; beyond it the dispatcher waits for the sender.
pub const QUEUE_LIMIT: u64 = 20_000;

/// Events older than this when the dispatcher reads them are not sent.
pub const MAX_AGE: Duration = Duration::hours(24);

/// Who can be reached on a channel at all (an e-mail account that is active, a linked chat).
#[async_trait]
pub trait Audience: Send + Sync {
    /// Whether `user` can receive anything on the channel now.
    async fn reachable(&self, user: UserId) -> Result<bool, RepoError>;
}

/// Everyone (the sender checks again when it sends).
#[derive(Debug, Clone, Copy)]
pub struct Everyone;

#[async_trait]
impl Audience for Everyone {
    async fn reachable(&self, _user: UserId) -> Result<bool, RepoError> {
        Ok(true)
    }
}

/// What a dispatcher needs.
#[derive(Clone)]
pub struct DispatchPorts {
    /// The event log.
    pub events: Arc<dyn EventRepository>,
    /// Users' channel preferences.
    pub preferences: Arc<dyn PreferenceRepository>,
    /// Where deliveries go.
    pub deliveries: Arc<dyn DeliveryRepository>,
    /// The dispatchers' cursors.
    pub cursors: Arc<dyn CursorRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DispatchPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DispatchPorts").finish_non_exhaustive()
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DispatchReport {
    /// Events read from the log.
    pub read: u64,
    /// Deliveries created.
    pub created: u64,
    /// Where the cursor stands now.
    pub cursor: u64,
    /// Whether the queue was full (reading waits for the sender).
    pub queue_full: bool,
}

/// One channel's dispatcher.
pub struct Dispatcher {
    ports: DispatchPorts,
    channel: Channel,
    audience: Arc<dyn Audience>,
    /// How long a non-urgent delivery waits before it is due (the e-mail batch window).
    hold: Duration,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").field("channel", &self.channel).field("hold", &self.hold).finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// The dispatcher of `channel` to `audience`; non-urgent deliveries are due `hold` after
    /// they are created, urgent ones (safety events) at once.
    pub fn new(ports: DispatchPorts, channel: Channel, audience: Arc<dyn Audience>, hold: Duration) -> Self {
        Self { ports, channel, audience, hold }
    }

    /// The name of its cursor.
    pub fn cursor_name(&self) -> String {
        format!("dispatch:{}", self.channel.as_str())
    }

    /// Reads the log after the cursor and creates the deliveries.
    pub async fn run(&self) -> Result<DispatchReport, RepoError> {
        let p = &self.ports;
        let name = self.cursor_name();
        let mut report = DispatchReport { cursor: p.cursors.get(&name).await?, ..DispatchReport::default() };
        let mut preferences: HashMap<UserId, NotificationPreferences> = HashMap::new();
        let mut reachable: HashMap<UserId, bool> = HashMap::new();
        for _ in 0..PAGES_PER_PASS {
            if p.deliveries.pending_count(self.channel).await? >= QUEUE_LIMIT {
                report.queue_full = true;
                break;
            }
            let page = p.events.after(None, report.cursor, PAGE).await?;
            let now = p.clock.now();
            let mut deliveries = Vec::new();
            for stored in &page {
                let event = &stored.event;
                if event.at < now - MAX_AGE {
                    continue;
                }
                if let Entry::Vacant(slot) = preferences.entry(event.user_id) {
                    slot.insert(p.preferences.get(event.user_id).await?);
                }
                if !preferences[&event.user_id].allows(event.event_type(), self.channel) {
                    continue;
                }
                if let Entry::Vacant(slot) = reachable.entry(event.user_id) {
                    slot.insert(self.audience.reachable(event.user_id).await?);
                }
                if !reachable[&event.user_id] {
                    continue;
                }
                let mut delivery = Delivery::new(event.clone(), stored.seq, self.channel, now);
                if !delivery.is_urgent() {
                    delivery.due_at = now + self.hold;
                }
                deliveries.push(delivery);
            }
            report.created += p.deliveries.add(&deliveries).await?;
            report.read += page.len() as u64;
            let Some(last) = page.last() else { break };
            report.cursor = last.seq;
            p.cursors.set(&name, report.cursor).await?;
            if (page.len() as u64) < PAGE {
                break;
            }
        }
        Ok(report)
    }
}
