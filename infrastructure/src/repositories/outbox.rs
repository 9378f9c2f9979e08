//! How an aggregate's [`Outbox`] is stored with it, in the same write as the change that raised
//! its events: as one JSON text under `outbox` (a bot's stays inside its aggregate text), plus a
//! top-level, indexed `outbox_at` (unix milliseconds of the oldest waiting event), both absent
//! when nothing waits, by which the relay (`crate::notifications::relay`) finds the aggregates
//! with waiting events. Writes that carry events nudge the relay in this process.

use std::sync::Arc;

use domain::notifications::Outbox;
use tokio::sync::Notify;

use super::codec::to_millis;

/// The field holding the unix milliseconds of the oldest waiting event.
pub const OUTBOX_AT: &str = "outbox_at";
/// The field holding the waiting events as one JSON text (not on bots: inside `bot`).
pub const OUTBOX: &str = "outbox";

/// The `outbox_at` of `outbox`: `None` (left out) when nothing waits.
pub(crate) fn waiting_since(outbox: &Outbox) -> Option<i64> {
    outbox.oldest_at().map(to_millis)
}

/// `#[serde(default, with = "outbox::text", skip_serializing_if = "Outbox::is_empty")]`: the
/// outbox as one JSON text.
pub(crate) mod text {
    use domain::notifications::Outbox;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(outbox: &Outbox, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(outbox).map_err(serde::ser::Error::custom)?)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Outbox, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => serde_json::from_str(&text).map_err(D::Error::custom),
            None => Ok(Outbox::default()),
        }
    }
}

/// Wakes the relay of this process after a write that carried events, so they reach the log
/// in milliseconds rather than at the relay's next tick. Cheap to clone; wakes coalesce.
#[derive(Clone, Debug, Default)]
pub struct RelayNudge(Arc<Notify>);

impl RelayNudge {
    /// A nudge nobody listens to yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wakes the relay if `outbox` holds events.
    pub fn after_write(&self, outbox: &Outbox) {
        if !outbox.is_empty() {
            self.0.notify_one();
        }
    }

    /// Wakes the relay.
    pub fn nudge(&self) {
        self.0.notify_one();
    }

    /// Waits for the next nudge (one given while nobody waited counts).
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}
