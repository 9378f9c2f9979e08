//! The per-user cache: the TTL, the keys, the changes that drop a user's values and the
//! computations in flight they void.

use domain::shared::clock::FixedClock;
use time::macros::datetime;

use super::*;

const TTL: Duration = Duration::seconds(60);

fn cache() -> (UserCache<&'static str, u32>, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(datetime!(2026-03-02 10:00 UTC)));
    (UserCache::new(TTL, clock.clone()), clock)
}

fn ticket(cached: Cached<u32>) -> Ticket {
    match cached {
        Cached::Missing(ticket) => ticket,
        Cached::Fresh(_) => panic!("expected nothing fresh"),
    }
}

fn fresh(cached: Cached<u32>) -> Option<u32> {
    match cached {
        Cached::Fresh(value) => Some(*value),
        Cached::Missing(_) => None,
    }
}

#[test]
fn a_value_is_served_for_the_ttl_then_computed_again() {
    let (cache, clock) = cache();
    let ana = UserId::new();
    let t = ticket(cache.get(ana, &"30d"));
    cache.store(ana, "30d", t, Arc::new(1));
    clock.advance(Duration::seconds(59));
    assert_eq!(fresh(cache.get(ana, &"30d")), Some(1));
    assert_eq!(fresh(cache.get(UserId::new(), &"30d")), None, "per user");
    assert_eq!(fresh(cache.get(ana, &"90d")), None, "per key");
    clock.advance(Duration::seconds(1));
    assert_eq!(fresh(cache.get(ana, &"30d")), None, "60 s old is stale");
}

#[test]
fn the_ttl_counts_from_when_the_computation_started() {
    let (cache, clock) = cache();
    let ana = UserId::new();
    let t = ticket(cache.get(ana, &"30d"));
    clock.advance(Duration::seconds(50));
    cache.store(ana, "30d", t, Arc::new(1));
    clock.advance(Duration::seconds(10));
    assert_eq!(fresh(cache.get(ana, &"30d")), None, "what was read 60 s ago is stale");
}

#[test]
fn a_change_drops_every_key_and_voids_a_computation_in_flight() {
    let (cache, clock) = cache();
    let (ana, bia) = (UserId::new(), UserId::new());
    for (user, key) in [(ana, "30d"), (ana, "90d"), (bia, "30d")] {
        let t = ticket(cache.get(user, &key));
        cache.store(user, key, t, Arc::new(1));
    }
    cache.changed(ana);
    assert_eq!((fresh(cache.get(ana, &"30d")), fresh(cache.get(ana, &"90d"))), (None, None));
    let t = ticket(cache.get(ana, &"30d"));
    assert_eq!(fresh(cache.get(bia, &"30d")), Some(1), "another user's values stay");
    cache.changed(ana);
    cache.store(ana, "30d", t, Arc::new(2));
    assert_eq!(fresh(cache.get(ana, &"30d")), None, "read before the change: not kept");
    let _ = clock;
}

#[test]
fn a_new_mark_drops_only_the_caches_that_show_marks() {
    let (books_only, clock) = cache();
    let marked: UserCache<&str, u32> = UserCache::new(TTL, clock).dropped_on_marks();
    let ana = UserId::new();
    for cache in [&books_only, &marked] {
        let t = ticket(cache.get(ana, &"30d"));
        cache.store(ana, "30d", t, Arc::new(1));
        cache.marked(ana);
    }
    assert_eq!(fresh(books_only.get(ana, &"30d")), Some(1), "the summary marks at the ticker itself");
    assert_eq!(fresh(marked.get(ana, &"30d")), None, "the series' last point shows the mark");
}
