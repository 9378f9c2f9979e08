//! The transactional outbox: an aggregate (a bot, an order, a subscription, a credential) keeps
//! the events its changes raised until they are relayed to the user's event log. Its repository
//! stores them in the same write as the change itself, so a process that dies right after the
//! write loses no event: the relay finds them in the stored aggregate and moves them on, and
//! their ids make the move idempotent.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::event::Event;
use super::types::Category;
use crate::shared::ids::EventId;

/// The most events an aggregate keeps waiting for the relay. Reached only when the relay has
/// not run for a long time; then the oldest fills (the least telling events) make room first.
pub const OUTBOX_LIMIT: usize = 500;

/// Events raised by an aggregate's changes, not relayed yet; an empty list (left out) on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Outbox(Vec<Event>);

impl Outbox {
    /// Adds `event`, making room when [`OUTBOX_LIMIT`] is reached.
    pub fn raise(&mut self, event: Event) {
        if self.0.len() >= OUTBOX_LIMIT {
            let victim = self.0.iter().position(|e| e.event_type().category() == Category::Fill).unwrap_or(0);
            self.0.remove(victim);
        }
        self.0.push(event);
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many events wait.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The waiting events, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.0
    }

    /// When the oldest waiting event happened (what the relay's query orders by).
    pub fn oldest_at(&self) -> Option<OffsetDateTime> {
        self.0.iter().map(|e| e.at).min()
    }

    /// Forgets the events the relay moved (`relayed`); events raised since stay.
    pub fn acknowledge(&mut self, relayed: &[EventId]) {
        self.0.retain(|e| !relayed.contains(&e.id));
    }

    /// Takes every waiting event out.
    pub fn take(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.0)
    }
}

impl From<Vec<Event>> for Outbox {
    fn from(events: Vec<Event>) -> Self {
        Self(events)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::notifications::payload::{AnomalyData, EventPayload};
    use crate::shared::ids::UserId;

    fn anomaly(minute: u8) -> Event {
        let data = AnomalyData {
            exchange: crate::exchange::ExchangeId::Binance,
            symbol: "BTC-USDT".parse().unwrap(),
            description: "gap".into(),
        };
        let at = datetime!(2026-12-04 10:00 UTC) + time::Duration::minutes(minute.into());
        Event::new(UserId::new(), EventPayload::MarketAnomaly(data), at)
    }

    #[test]
    fn acknowledging_keeps_what_was_raised_since() {
        let mut outbox = Outbox::default();
        let (a, b) = (anomaly(1), anomaly(2));
        outbox.raise(a.clone());
        outbox.raise(b.clone());
        assert_eq!(outbox.oldest_at(), Some(a.at));
        outbox.acknowledge(&[a.id]);
        assert_eq!(outbox.events(), &[b]);
    }

    #[test]
    fn it_is_bounded() {
        let mut outbox = Outbox::default();
        for i in 0..OUTBOX_LIMIT + 10 {
            outbox.raise(anomaly((i % 60) as u8));
        }
        assert_eq!(outbox.len(), OUTBOX_LIMIT);
    }
}
