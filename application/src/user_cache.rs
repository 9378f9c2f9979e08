//! A per-user cache of heavy read models (the catalogue's 60 s TTL), dropped for a user as soon as
//! the engine tells of a change to their orders or books (a fill, a closed position), and, for
//! read models that show the bots' marks, of a new mark. Several entries per user, by key (the
//! performance series per window, interval and plan); one for the summary (`()`).
//!
//! A computation that started before a change must not store what it read: each read takes a
//! ticket (the user's generation), a change bumps the generation, and a result is kept only if
//! its ticket is still current. The cache lives in one process: on several instances, a fill
//! applied by another instance's engine is not heard here, and the figures may lag by the TTL.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use domain::shared::ids::UserId;
use domain::Clock;
use time::{Duration, OffsetDateTime};

use crate::engine::ActivityListener;

/// Users kept before the cache prunes the ones with nothing fresh.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
struct Slot<K, V> {
    generation: u64,
    /// Each value with the time its ticket was taken (its reads started no earlier).
    values: HashMap<K, (OffsetDateTime, Arc<V>)>,
    /// When the slot was last read or written (pruning keeps recent ones).
    touched: OffsetDateTime,
}

/// The ticket to store a value under: the user's generation when its computation started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    generation: u64,
    at: OffsetDateTime,
}

/// What the cache holds for a user and key: a fresh value, or the ticket to store one under.
#[derive(Debug)]
pub enum Cached<V> {
    /// Computed less than the TTL ago, no change heard since.
    Fresh(Arc<V>),
    /// Compute it, then [`UserCache::store`] it with this ticket.
    Missing(Ticket),
}

/// Values of type `V` by user and key `K`.
#[derive(Debug)]
pub struct UserCache<K, V> {
    ttl: Duration,
    clock: Arc<dyn Clock>,
    /// Whether a new mark drops the user's values (see [`ActivityListener::marked`]).
    marks: bool,
    slots: Mutex<HashMap<UserId, Slot<K, V>>>,
}

impl<K: Eq + Hash, V> UserCache<K, V> {
    /// A cache keeping values for `ttl`, timed by `clock`, dropped on a change to the books.
    pub fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Self { ttl, clock, marks: false, slots: Mutex::new(HashMap::new()) }
    }

    /// The same cache, also dropped when a bot of the user gets a new mark.
    pub fn dropped_on_marks(mut self) -> Self {
        self.marks = true;
        self
    }

    /// `user`'s value under `key` if fresh, else a ticket to store the one about to be computed.
    pub fn get(&self, user: UserId, key: &K) -> Cached<V> {
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(user).or_insert_with(|| Slot { generation: 0, values: HashMap::new(), touched: now });
        slot.touched = now;
        let ttl = self.ttl;
        slot.values.retain(|_, (at, _)| now - *at < ttl);
        match slot.values.get(key) {
            Some((_, value)) => Cached::Fresh(value.clone()),
            None => Cached::Missing(Ticket { generation: slot.generation, at: now }),
        }
    }

    /// Keeps `value` for `user` under `key` unless a change was heard since `ticket` was taken.
    pub fn store(&self, user: UserId, key: K, ticket: Ticket, value: Arc<V>) {
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.len() > PRUNE_ABOVE {
            let ttl = self.ttl;
            slots.retain(|_, s| now - s.touched < ttl);
        }
        if let Some(slot) = slots.get_mut(&user) {
            if slot.generation == ticket.generation {
                slot.values.insert(key, (ticket.at, value));
                slot.touched = now;
            }
        }
    }

    /// Drops `user`'s values and voids the tickets taken before.
    pub fn invalidate(&self, user: UserId) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get_mut(&user) {
            slot.generation += 1;
            slot.values.clear();
        }
    }
}

impl<K: Eq + Hash + Send + std::fmt::Debug, V: Send + Sync + std::fmt::Debug> ActivityListener for UserCache<K, V> {
    fn changed(&self, user: UserId) {
        self.invalidate(user);
    }

    fn marked(&self, user: UserId) {
        if self.marks {
            self.invalidate(user);
        }
    }
}

#[cfg(test)]
#[path = "user_cache_tests.rs"]
mod tests;
