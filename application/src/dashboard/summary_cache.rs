//! The per-user cache of the summary's heavy figures (the catalogue's 60 s TTL), dropped for a
//! user as soon as the engine tells of a change to their orders or books (a fill).
//!
//! A computation that started before a change must not store what it read: each read takes a
//! ticket (the user's generation), a change bumps the generation, and a result is kept only if
//! its ticket is still current. The cache lives in one process: on several instances, a fill
//! applied by another instance's engine is not heard here, and the figures may lag by the TTL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use domain::shared::ids::UserId;
use domain::Clock;
use time::{Duration, OffsetDateTime};

use super::summary_book::Book;
use crate::engine::ActivityListener;

/// How long the heavy figures are served from the cache: the catalogue's 60 s.
pub const SUMMARY_TTL: Duration = Duration::seconds(60);

/// Users kept before the cache prunes the ones with nothing fresh.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
struct Slot {
    generation: u64,
    book: Option<Arc<Book>>,
    /// When the slot was last read or written (pruning keeps recent ones).
    touched: Option<OffsetDateTime>,
}

/// What the cache holds for a user: a fresh book, or the ticket to store one under.
#[derive(Debug)]
pub enum Cached {
    /// Computed less than the TTL ago, no change heard since.
    Fresh(Arc<Book>),
    /// Compute it, then [`SummaryCache::store`] it with this ticket.
    Missing(u64),
}

/// The cache of [`Book`]s by user.
#[derive(Debug)]
pub struct SummaryCache {
    ttl: Duration,
    clock: Arc<dyn Clock>,
    slots: Mutex<HashMap<UserId, Slot>>,
}

impl SummaryCache {
    /// A cache keeping books for `ttl`, timed by `clock`.
    pub fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Self { ttl, clock, slots: Mutex::new(HashMap::new()) }
    }

    /// `user`'s book if fresh, else a ticket to store the one about to be computed.
    pub fn get(&self, user: UserId) -> Cached {
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(user).or_default();
        slot.touched = Some(now);
        match &slot.book {
            Some(book) if now - book.computed_at < self.ttl => Cached::Fresh(book.clone()),
            _ => {
                slot.book = None;
                Cached::Missing(slot.generation)
            }
        }
    }

    /// Keeps `book` for `user` unless a change was heard since `ticket` was taken.
    pub fn store(&self, user: UserId, ticket: u64, book: Arc<Book>) {
        let now = self.clock.now();
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.len() > PRUNE_ABOVE {
            let ttl = self.ttl;
            slots.retain(|_, s| s.touched.is_some_and(|t| now - t < ttl));
        }
        if let Some(slot) = slots.get_mut(&user) {
            if slot.generation == ticket {
                slot.book = Some(book);
                slot.touched = Some(now);
            }
        }
    }

    /// Drops `user`'s book and voids the tickets taken before.
    pub fn invalidate(&self, user: UserId) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get_mut(&user) {
            slot.generation += 1;
            slot.book = None;
        }
    }
}

impl ActivityListener for SummaryCache {
    fn changed(&self, user: UserId) {
        self.invalidate(user);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use domain::shared::clock::FixedClock;
    use time::macros::datetime;

    use super::*;

    fn book(at: OffsetDateTime) -> Arc<Book> {
        Arc::new(Book { computed_at: at, groups: BTreeMap::new(), contexts: Vec::new() })
    }

    fn cache() -> (SummaryCache, Arc<FixedClock>) {
        let clock = Arc::new(FixedClock::new(datetime!(2026-03-02 10:00 UTC)));
        (SummaryCache::new(SUMMARY_TTL, clock.clone()), clock)
    }

    fn ticket(cached: Cached) -> u64 {
        match cached {
            Cached::Missing(ticket) => ticket,
            Cached::Fresh(_) => panic!("expected nothing fresh"),
        }
    }

    #[test]
    fn a_book_is_served_for_the_ttl_then_computed_again() {
        let (cache, clock) = cache();
        let ana = UserId::new();
        let t = ticket(cache.get(ana));
        cache.store(ana, t, book(clock.now()));
        clock.advance(Duration::seconds(59));
        assert!(matches!(cache.get(ana), Cached::Fresh(_)));
        assert!(matches!(cache.get(UserId::new()), Cached::Missing(_)), "per user");
        clock.advance(Duration::seconds(1));
        assert!(matches!(cache.get(ana), Cached::Missing(_)), "60 s old is stale");
    }

    #[test]
    fn a_change_drops_the_book_and_voids_a_computation_in_flight() {
        let (cache, clock) = cache();
        let (ana, bia) = (UserId::new(), UserId::new());
        for user in [ana, bia] {
            let t = ticket(cache.get(user));
            cache.store(user, t, book(clock.now()));
        }
        cache.changed(ana);
        let t = ticket(cache.get(ana));
        assert!(matches!(cache.get(bia), Cached::Fresh(_)), "another user's book stays");
        cache.changed(ana);
        cache.store(ana, t, book(clock.now()));
        assert!(matches!(cache.get(ana), Cached::Missing(_)), "read before the change: not kept");
    }
}
