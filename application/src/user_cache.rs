//! A per-user cache of heavy read models (the catalogue's 60 s TTL), dropped for a user as soon as
//! the engine tells of a change to their orders or books (a fill, a closed position), and, for
//! read models that show the bots' marks, of a new mark. Several entries per user, by key (the
//! performance series per window, interval and plan); one for the summary (`()`).
//!
//! A computation that started before a change must not store what it read: each read takes a
//! ticket (the user's generation), a change bumps the generation, and a result is kept only if
//! its ticket is still current.
//!
//! Across processes ([`UserCache::with_versions`]): each value is kept with the user's data
//! version (`domain::shared::data_version`) read before its computation began, and served only
//! while the stored version is still that one. Every write to the user's bots, orders, contexts
//! or closed positions moves the version, whichever process stored it, so another instance's fill
//! is a miss here at the next read; the TTL stays the upper bound (a mark, which moves no version,
//! or a lost bump). Reading the version is one read by id per request; when it fails, the value is
//! computed for that reader and not kept.
//!
//! A miss is computed once ([`UserCache::get_or_load`], single-flight): concurrent readers of the
//! same user and key queue on one per-key async lock, the first computes, the others find its value.
//! The lock lives only while someone waits for it (a count of its holders, dropped with the last,
//! even when a reader's request is cancelled), and a failed computation stores nothing: the next
//! reader in line computes again.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use domain::shared::data_version::DataVersionRepository;
use domain::shared::ids::UserId;
use domain::Clock;
use time::{Duration, OffsetDateTime};

use crate::engine::ActivityListener;

/// Users kept before the cache prunes the ones with nothing fresh.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
struct Slot<K, V> {
    generation: u64,
    /// Each value with the time its ticket was taken (its reads started no earlier) and the data
    /// version read before.
    values: HashMap<K, (OffsetDateTime, u64, Arc<V>)>,
    /// When the slot was last read or written (pruning keeps recent ones).
    touched: OffsetDateTime,
    /// The computations in flight, by key (see [`Flight`]).
    flights: HashMap<K, Flight>,
}

/// One key's computation in flight: the lock its readers queue on, and how many hold it (the
/// entry goes with the last, so no lock outlives its readers).
#[derive(Debug)]
struct Flight {
    turn: Arc<tokio::sync::Mutex<()>>,
    holders: usize,
}

/// A reader's hold on a key's [`Flight`], given back on drop (also when the reader is cancelled).
struct Hold<'a, K: Eq + Hash, V> {
    cache: &'a UserCache<K, V>,
    user: UserId,
    key: K,
}

impl<K: Eq + Hash, V> Drop for Hold<'_, K, V> {
    fn drop(&mut self) {
        let mut slots = self.cache.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(slot) = slots.get_mut(&self.user) else { return };
        if let Some(flight) = slot.flights.get_mut(&self.key) {
            flight.holders -= 1;
            if flight.holders == 0 {
                slot.flights.remove(&self.key);
            }
        }
    }
}

/// What a reader finds: a fresh value, or the lock to queue on for computing it.
enum Found<V> {
    Fresh(Arc<V>),
    Queue(Arc<tokio::sync::Mutex<()>>),
}

/// The ticket to store a value under: the user's generation when its computation started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    generation: u64,
    at: OffsetDateTime,
    version: u64,
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
pub struct UserCache<K, V> {
    ttl: Duration,
    clock: Arc<dyn Clock>,
    /// Whether a new mark drops the user's values (see [`ActivityListener::marked`]).
    marks: bool,
    /// The users' data versions, when values must also be dropped by other processes' writes.
    versions: Option<Arc<dyn DataVersionRepository>>,
    slots: Mutex<HashMap<UserId, Slot<K, V>>>,
}

impl<K, V> std::fmt::Debug for UserCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let users = self.slots.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("UserCache")
            .field("ttl", &self.ttl)
            .field("marks", &self.marks)
            .field("versioned", &self.versions.is_some())
            .field("users", &users)
            .finish_non_exhaustive()
    }
}

impl<K: Eq + Hash, V> UserCache<K, V> {
    /// A cache keeping values for `ttl`, timed by `clock`, dropped on a change to the books.
    pub fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Self { ttl, clock, marks: false, versions: None, slots: Mutex::new(HashMap::new()) }
    }

    /// The same cache, also serving a value only while `user`'s data version is the one read
    /// before it was computed (see the module's documentation).
    pub fn with_versions(mut self, versions: Arc<dyn DataVersionRepository>) -> Self {
        self.versions = Some(versions);
        self
    }

    /// The same cache, also dropped when a bot of the user gets a new mark.
    pub fn dropped_on_marks(mut self) -> Self {
        self.marks = true;
        self
    }

    /// `user`'s value under `key` if fresh, else a ticket to store the one about to be computed
    /// (an unversioned cache's, or version 0's: see [`Self::get_or_load`]).
    pub fn get(&self, user: UserId, key: &K) -> Cached<V> {
        self.get_at(user, key, 0)
    }

    /// [`Self::get`] for readers that read `user`'s data version `version`: a value kept under
    /// another version is not fresh.
    fn get_at(&self, user: UserId, key: &K, version: u64) -> Cached<V> {
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(user).or_insert_with(|| Slot::new(now));
        slot.touched = now;
        let ttl = self.ttl;
        slot.values.retain(|_, (at, _, _)| now - *at < ttl);
        match slot.values.get(key) {
            Some((_, kept, value)) if *kept == version => Cached::Fresh(value.clone()),
            _ => Cached::Missing(Ticket { generation: slot.generation, at: now, version }),
        }
    }

    /// Keeps `value` for `user` under `key` unless a change was heard since `ticket` was taken.
    pub fn store(&self, user: UserId, key: K, ticket: Ticket, value: Arc<V>) {
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.len() > PRUNE_ABOVE {
            let ttl = self.ttl;
            slots.retain(|_, s| now - s.touched < ttl || !s.flights.is_empty());
        }
        if let Some(slot) = slots.get_mut(&user) {
            // Never over a value of a newer version (a reader that read the version before a
            // change, finishing after one that read it after).
            let newer = slot.values.get(&key).is_some_and(|(_, kept, _)| *kept > ticket.version);
            if slot.generation == ticket.generation && !newer {
                slot.values.insert(key, (ticket.at, ticket.version, value));
                slot.touched = now;
            }
        }
    }

    /// `user`'s value under `key`, computed by `load` on a miss, once for all the readers that
    /// miss it at the same time: they wait for the first one's computation and take its value.
    /// An error is returned to the reader whose `load` failed and not kept; the next reader in
    /// line computes again. A value read before a change heard meanwhile is returned to its
    /// reader but not kept (as with [`Self::store`]), so the readers behind compute afresh.
    pub async fn get_or_load<E, F, Fut>(&self, user: UserId, key: K, load: F) -> Result<Arc<V>, E>
    where
        K: Clone,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let version = match &self.versions {
            None => 0,
            Some(versions) => match versions.current(user).await {
                Ok(version) => version,
                Err(err) => {
                    tracing::warn!(user = %user, error = %err, "could not read a user's data version; computed, not cached");
                    return load().await.map(Arc::new);
                }
            },
        };
        let turn = match self.find(user, &key, version) {
            Found::Fresh(value) => return Ok(value),
            Found::Queue(turn) => turn,
        };
        let _hold = Hold { cache: self, user, key: key.clone() };
        let _turn = turn.lock().await;
        let ticket = match self.get_at(user, &key, version) {
            Cached::Fresh(value) => return Ok(value),
            Cached::Missing(ticket) => ticket,
        };
        let value = Arc::new(load().await?);
        self.store(user, key, ticket, value.clone());
        Ok(value)
    }

    /// `user`'s fresh value under `key`, or the key's flight lock, held once more.
    fn find(&self, user: UserId, key: &K, version: u64) -> Found<V>
    where
        K: Clone,
    {
        if let Cached::Fresh(value) = self.get_at(user, key, version) {
            return Found::Fresh(value);
        }
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(user).or_insert_with(|| Slot::new(now));
        let flight = slot
            .flights
            .entry(key.clone())
            .or_insert_with(|| Flight { turn: Arc::new(tokio::sync::Mutex::new(())), holders: 0 });
        flight.holders += 1;
        Found::Queue(flight.turn.clone())
    }

    /// Keys of `user` with a computation in flight (for tests: none once every reader is done).
    #[cfg(test)]
    fn flights(&self, user: UserId) -> usize {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.get(&user).map_or(0, |slot| slot.flights.len())
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

impl<K, V> Slot<K, V> {
    fn new(now: OffsetDateTime) -> Self {
        Self { generation: 0, values: HashMap::new(), touched: now, flights: HashMap::new() }
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
