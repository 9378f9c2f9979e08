//! A delivery: one event on its way to the user through one channel (e-mail, Telegram). The
//! channels' dispatchers create them from the event log with a deterministic id
//! (`<event id>:<channel>`), so a dispatcher that runs twice over the same events only repeats a
//! harmless duplicate; the senders send the due ones and retry failures with backoff until
//! [`MAX_ATTEMPTS`], then give up (`dead`).

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::event::Event;
use super::preferences::Channel;
use super::types::Category;
use crate::shared::ids::UserId;

/// How many attempts a delivery gets before it is dead.
pub const MAX_ATTEMPTS: u32 = 8;

/// The wait before the first retry; each further retry waits twice as long, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::hours(1);

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting to be sent (first try or a retry).
    Pending,
    /// Sent.
    Sent,
    /// Given up after [`MAX_ATTEMPTS`], or refused for good (a chat that blocked the bot).
    Dead,
    /// Not sent on purpose (the channel went off, the chat was unlinked meanwhile).
    Skipped,
}

/// One event to send through one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `<event id>:<channel>`: the same event on the same channel is one delivery.
    pub id: String,
    /// The channel.
    pub channel: Channel,
    /// The recipient.
    pub user_id: UserId,
    /// What to tell (a copy of the logged event, so sending needs no second read).
    pub event: Event,
    /// The event's place in the log: a user's deliveries are told in this order.
    pub seq: u64,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// Not sent before this instant (its creation, or the next retry).
    pub due_at: OffsetDateTime,
    /// Why the last attempt failed; never a secret.
    pub last_error: Option<String>,
    /// When it was sent, skipped or given up.
    pub done_at: Option<OffsetDateTime>,
}

impl Delivery {
    /// The deterministic id of `event` on `channel`.
    pub fn id_of(event: &Event, channel: Channel) -> String {
        format!("{}:{}", event.id, channel.as_str())
    }

    /// A new pending delivery of `event` (at `seq` in the log) through `channel`, due at once.
    pub fn new(event: Event, seq: u64, channel: Channel, now: OffsetDateTime) -> Self {
        Self {
            id: Self::id_of(&event, channel),
            channel,
            user_id: event.user_id,
            event,
            seq,
            status: DeliveryStatus::Pending,
            attempts: 0,
            created_at: now,
            due_at: now,
            last_error: None,
            done_at: None,
        }
    }

    /// Whether it reports something that protects or threatens the user's money (sent without
    /// waiting for a batch).
    pub fn is_urgent(&self) -> bool {
        self.event.event_type().category() == Category::Safety
    }

    /// Records a successful send.
    pub fn sent(&mut self, now: OffsetDateTime) {
        self.attempts += 1;
        self.status = DeliveryStatus::Sent;
        self.last_error = None;
        self.done_at = Some(now);
    }

    /// Records a failed attempt: due again after the backoff (or at `retry_at` when the channel
    /// said when, e.g. Telegram's `retry_after`), or dead after [`MAX_ATTEMPTS`]. Whether it is
    /// dead now.
    pub fn failed(&mut self, error: &str, now: OffsetDateTime, retry_at: Option<OffsetDateTime>) -> bool {
        self.attempts += 1;
        self.last_error = Some(error.chars().take(300).collect());
        if self.attempts >= MAX_ATTEMPTS {
            self.status = DeliveryStatus::Dead;
            self.done_at = Some(now);
            return true;
        }
        self.due_at = retry_at.unwrap_or_else(|| now + backoff(self.attempts));
        false
    }

    /// Puts it off until `until` without counting an attempt (the channel asked to slow down).
    pub fn postpone(&mut self, until: OffsetDateTime, reason: &str) {
        self.due_at = until;
        self.last_error = Some(reason.to_owned());
    }

    /// Gives up at once (a refusal that retrying cannot change).
    pub fn dead(&mut self, error: &str, now: OffsetDateTime) {
        self.attempts += 1;
        self.last_error = Some(error.chars().take(300).collect());
        self.status = DeliveryStatus::Dead;
        self.done_at = Some(now);
    }

    /// Drops it without sending (`reason` is kept as the last error).
    pub fn skip(&mut self, reason: &str, now: OffsetDateTime) {
        self.status = DeliveryStatus::Skipped;
        self.last_error = Some(reason.to_owned());
        self.done_at = Some(now);
    }
}

/// The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ... capped at an hour.
pub fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    let wait = FIRST_BACKOFF * 2i32.pow(doublings);
    wait.min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::notifications::payload::{AnomalyData, EventPayload};

    fn delivery() -> Delivery {
        let data = AnomalyData {
            exchange: crate::exchange::ExchangeId::Binance,
            symbol: "BTC-USDT".parse().unwrap(),
            description: "gap".into(),
        };
        let event = Event::new(UserId::new(), EventPayload::MarketAnomaly(data), datetime!(2026-12-04 10:00 UTC));
        Delivery::new(event, 1, Channel::Email, datetime!(2026-12-04 10:00 UTC))
    }

    #[test]
    fn the_id_is_the_event_and_the_channel() {
        let d = delivery();
        assert_eq!(d.id, format!("{}:email", d.event.id));
        assert!(d.is_urgent(), "an anomaly is a safety event");
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::minutes(1));
        assert_eq!(backoff(3), Duration::minutes(2));
        assert_eq!(backoff(20), MAX_BACKOFF);
    }

    #[test]
    fn failures_retry_then_die() {
        let mut d = delivery();
        let now = datetime!(2026-12-04 10:00 UTC);
        assert!(!d.failed("421 busy", now, None));
        assert_eq!((d.status, d.due_at), (DeliveryStatus::Pending, now + Duration::seconds(30)));
        let told = now + Duration::seconds(7);
        assert!(!d.failed("429", now, Some(told)));
        assert_eq!(d.due_at, told, "the channel's own retry time wins");
        for _ in 2..MAX_ATTEMPTS - 1 {
            assert!(!d.failed("421 busy", now, None));
        }
        assert!(d.failed("421 busy", now, None));
        assert_eq!((d.status, d.attempts), (DeliveryStatus::Dead, MAX_ATTEMPTS));
    }
}
