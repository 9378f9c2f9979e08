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

/// `user`'s value under `key`, computed by `loader` on a miss.
async fn read(cache: &UserCache<&'static str, u32>, user: UserId, key: &'static str, loader: &Loader) -> u32 {
    *cache.get_or_load(user, key, || loader.load()).await.expect("the loader succeeds")
}

#[tokio::test]
async fn a_value_is_served_for_the_ttl_then_computed_again() {
    let (cache, clock) = cache();
    let (ana, loader) = (UserId::new(), Loader::new(0, 0));
    assert_eq!(read(&cache, ana, "30d", &loader).await, 1);
    clock.advance(Duration::seconds(59));
    assert_eq!(read(&cache, ana, "30d", &loader).await, 1, "kept for the TTL");
    assert_eq!(read(&cache, UserId::new(), "30d", &loader).await, 2, "per user");
    assert_eq!(read(&cache, ana, "90d", &loader).await, 3, "per key");
    clock.advance(Duration::seconds(1));
    assert_eq!(read(&cache, ana, "30d", &loader).await, 4, "60 s old is stale");
}

#[tokio::test]
async fn the_ttl_counts_from_when_the_computation_started() {
    let (cache, clock) = cache();
    let ana = UserId::new();
    let slow = async {
        clock.advance(Duration::seconds(50));
        Ok::<u32, String>(1)
    };
    assert_eq!(*cache.get_or_load(ana, "30d", || slow).await.unwrap(), 1);
    let loader = Loader::new(1, 0);
    assert_eq!(cache.get_or_load(ana, "30d", || loader.load()).await.map(|v| *v), Ok(1), "kept");
    clock.advance(Duration::seconds(10));
    let again = cache.get_or_load(ana, "30d", || loader.load()).await;
    assert!(again.is_err(), "what was read 60 s ago is stale: computed again");
}

#[tokio::test]
async fn a_change_drops_every_key_of_the_user_and_voids_a_computation_in_flight() {
    let (cache, _clock) = cache();
    let (ana, bia, loader) = (UserId::new(), UserId::new(), Loader::new(0, 0));
    for (user, key) in [(ana, "30d"), (ana, "90d"), (bia, "30d")] {
        read(&cache, user, key, &loader).await;
    }
    cache.changed(ana);
    assert_eq!((read(&cache, ana, "30d", &loader).await, read(&cache, ana, "90d", &loader).await), (4, 5));
    assert_eq!(read(&cache, bia, "30d", &loader).await, 3, "another user's values stay");
    let voided = cache.get_or_load(ana, "7d", || async {
        cache.changed(ana);
        Ok::<u32, String>(100)
    });
    assert_eq!(*voided.await.unwrap(), 100, "its own reader gets what it read");
    assert_eq!(read(&cache, ana, "7d", &loader).await, 6, "read before the change: not kept");
}

#[tokio::test]
async fn a_new_mark_drops_only_the_caches_that_show_marks() {
    let (books_only, clock) = cache();
    let marked: UserCache<&str, u32> = UserCache::new(TTL, clock).dropped_on_marks();
    let (ana, loader) = (UserId::new(), Loader::new(0, 0));
    for cache in [&books_only, &marked] {
        read(cache, ana, "30d", &loader).await;
        cache.marked(ana);
    }
    assert_eq!(read(&books_only, ana, "30d", &loader).await, 1, "the summary marks at the ticker itself");
    assert_eq!(read(&marked, ana, "30d", &loader).await, 3, "the series' last point shows the mark");
}

/// A loader that counts its calls, takes `delay` and fails while `fail_first` calls remain.
struct Loader {
    calls: std::sync::atomic::AtomicU32,
    fail_first: u32,
    delay: std::time::Duration,
}

impl Loader {
    fn new(fail_first: u32, delay_ms: u64) -> Self {
        Self { calls: 0.into(), fail_first, delay: std::time::Duration::from_millis(delay_ms) }
    }

    async fn load(&self) -> Result<u32, String> {
        let call = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        tokio::time::sleep(self.delay).await;
        if call <= self.fail_first {
            return Err(format!("call {call} failed"));
        }
        Ok(call)
    }

    fn calls(&self) -> u32 {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[tokio::test]
async fn concurrent_readers_of_a_missing_key_wait_for_one_computation() {
    let (cache, _clock) = cache();
    let (ana, loader) = (UserId::new(), Loader::new(0, 50));
    let readers = (0..16).map(|_| cache.get_or_load(ana, "30d", || loader.load()));
    let answers = futures::future::join_all(readers).await;
    assert_eq!(loader.calls(), 1, "one computation for 16 readers");
    assert!(answers.iter().all(|a| a.as_deref() == Ok(&1)), "{answers:?}");
    assert_eq!(read(&cache, ana, "30d", &loader).await, 1, "and it is kept");
    // Another key, or another user, is computed on its own, at the same time.
    let other = UserId::new();
    let (a, b) = tokio::join!(
        cache.get_or_load(ana, "90d", || loader.load()),
        cache.get_or_load(other, "30d", || loader.load())
    );
    assert_eq!((a.is_ok(), b.is_ok(), loader.calls()), (true, true, 3));
}

#[tokio::test]
async fn an_error_is_not_kept_and_the_next_reader_computes_again() {
    let (cache, _clock) = cache();
    let (ana, loader) = (UserId::new(), Loader::new(1, 20));
    let readers = (0..4).map(|_| cache.get_or_load(ana, "30d", || loader.load()));
    let answers = futures::future::join_all(readers).await;
    assert_eq!(answers.iter().filter(|a| a.is_err()).count(), 1, "{answers:?}");
    assert_eq!(loader.calls(), 2, "the first failed, the second computed for the rest");
    assert!(answers.iter().filter_map(|a| a.as_ref().ok()).all(|v| **v == 2), "{answers:?}");
}

#[tokio::test]
async fn a_cancelled_reader_gives_its_turn_and_its_hold_back() {
    let (cache, _clock) = cache();
    let (ana, loader) = (UserId::new(), Loader::new(0, 200));
    let cut =
        tokio::time::timeout(std::time::Duration::from_millis(20), cache.get_or_load(ana, "30d", || loader.load()));
    assert!(cut.await.is_err(), "cancelled mid-computation");
    let answer = cache.get_or_load(ana, "30d", || loader.load()).await;
    assert_eq!((answer.map(|v| *v), loader.calls()), (Ok(2), 2), "the next reader computes");
}

#[tokio::test]
async fn a_change_during_a_computation_is_not_hidden_from_the_readers_behind() {
    let (cache, _clock) = cache();
    let (ana, loader) = (UserId::new(), Loader::new(0, 50));
    let change = async {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        cache.changed(ana);
    };
    let (first, second, ()) = tokio::join!(
        cache.get_or_load(ana, "30d", || loader.load()),
        cache.get_or_load(ana, "30d", || loader.load()),
        change
    );
    assert_eq!((first.map(|v| *v), second.map(|v| *v)), (Ok(1), Ok(2)), "read before the change: not shared");
    assert_eq!(read(&cache, ana, "30d", &loader).await, 2, "what was read after it is kept");
}

/// Data versions in memory, as another process's writes would move them; `fail` makes reads fail.
#[derive(Default)]
struct Versions {
    of: std::sync::Mutex<std::collections::HashMap<UserId, u64>>,
    fail: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl DataVersionRepository for Versions {
    async fn current(&self, user: UserId) -> Result<u64, domain::RepoError> {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(domain::RepoError::unavailable(anyhow::anyhow!("down")));
        }
        Ok(self.of.lock().unwrap().get(&user).copied().unwrap_or(0))
    }

    async fn bump(&self, user: UserId) -> Result<(), domain::RepoError> {
        *self.of.lock().unwrap().entry(user).or_default() += 1;
        Ok(())
    }

    async fn erase(&self, user: UserId) -> Result<(), domain::RepoError> {
        self.of.lock().unwrap().remove(&user);
        Ok(())
    }
}

#[tokio::test]
async fn a_version_moved_elsewhere_is_a_miss_at_once_and_a_failed_read_is_not_kept() {
    let (cache, _clock) = cache();
    let versions = Arc::new(Versions::default());
    let cache = cache.with_versions(versions.clone());
    let (ana, bia, loader) = (UserId::new(), UserId::new(), Loader::new(0, 0));
    let read = |user| cache.get_or_load(user, "30d", || loader.load());
    assert_eq!(*read(ana).await.unwrap(), 1);
    assert_eq!(*read(bia).await.unwrap(), 2);
    assert_eq!(*read(ana).await.unwrap(), 1, "kept while the version stays");

    // Another process stored a change of ana's: no listener here heard of it.
    versions.bump(ana).await.unwrap();
    assert_eq!(*read(ana).await.unwrap(), 3, "computed again at once");
    assert_eq!(*read(ana).await.unwrap(), 3, "and kept under the new version");
    assert_eq!(*read(bia).await.unwrap(), 2, "another user's value stays");

    versions.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(*read(ana).await.unwrap(), 4, "no version: computed for this reader");
    versions.fail.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(*read(ana).await.unwrap(), 3, "and not kept");
}

#[tokio::test]
async fn a_value_of_an_older_version_never_stands_for_a_newer_one() {
    let (cache, _clock) = cache();
    let versions = Arc::new(Versions::default());
    let cache = cache.with_versions(versions.clone());
    let (ana, loader) = (UserId::new(), Loader::new(0, 0));
    versions.bump(ana).await.unwrap();
    assert_eq!(read(&cache, ana, "30d", &loader).await, 1);
    versions.bump(ana).await.unwrap();
    assert_eq!(read(&cache, ana, "30d", &loader).await, 2, "version 2: computed");
    // A reader that read version 1 before the bump and stores after: version 2's reader does
    // not see it.
    let late = cache.get_or_load(ana, "7d", || async {
        versions.bump(ana).await.unwrap();
        Ok::<u32, String>(100)
    });
    assert_eq!(*late.await.unwrap(), 100);
    assert_eq!(read(&cache, ana, "7d", &loader).await, 3, "a reader of the newer version computes");
    assert_eq!(read(&cache, ana, "30d", &loader).await, 4);
}
