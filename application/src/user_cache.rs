//! A per-user cache of heavy read models (the catalogue's 60 s TTL), dropped for a user as soon as
//! the engine tells of a change to their orders or books (a fill, a closed position), and, for
//! read models that show the bots' marks, of a new mark. Several entries per user, by key (the
//! performance series per window, interval and plan); one for the summary (`()`).
//!
//! The storage, the bound on memory and the single-flight misses are moka's
//! ([`moka::future::Cache`]); what is ours is what a value is keyed and kept by:
//!
//! - **A computation that started before a change is not served after it.** Each user has a
//!   generation (a stamp from one counter of the cache, moved for the user by every change), and
//!   values are keyed by it: a change makes every value of the user unreachable at once (moka
//!   evicts them later), and a computation that read before it is stored, if at all, under the
//!   old generation, which no later reader asks for. A computation that finds the generation
//!   moved when it ends is not stored at all: it answers its own reader only, and the readers
//!   queued behind it compute afresh. The generations live in a bounded moka cache too: a user
//!   whose generation was evicted gets the counter's current value, which is newer than every
//!   stamp of a change of theirs, so no value from before a change becomes reachable again.
//! - **Across processes** ([`UserCache::with_versions`]): values are also keyed by the user's data
//!   version (`domain::shared::data_version`) read before the computation began, so a value is
//!   served only while the stored version is still that one. Every write to the user's bots,
//!   orders, contexts or closed positions moves the version, whichever process stored it, so
//!   another instance's fill is a miss here at the next read, and a value of an older version
//!   never stands for a newer one. Reading the version is one read by id per request; when it
//!   fails, the value is computed for that reader and not kept.
//! - **The TTL is timed by the injected clock** (the performance series' is the markets' one, which
//!   a test or a fast paper clock speeds up), counted from when the computation started; moka's own
//!   time-to-live (the same length in real time) only bounds how long memory is held.
//! - **A miss is computed once** (moka's `try_get_with`): concurrent readers of the same user, key,
//!   generation and version wait for the first one's computation and take its value. A failed
//!   computation is not kept: its error goes to its own reader, and the readers that waited on it
//!   compute again (one of them for the rest). A reader cancelled mid-computation hands the
//!   computation over to one of the waiting readers (moka).

use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use domain::shared::data_version::DataVersionRepository;
use domain::shared::ids::UserId;
use domain::Clock;
use time::{Duration, OffsetDateTime};

use crate::engine::ActivityListener;

/// Values kept at the most (every user and key together); the least used go first.
const MAX_VALUES: u64 = 100_000;

/// Users whose generation is kept at the most.
const MAX_USERS: u64 = 100_000;

/// A value's key: the user, their generation and data version when it was computed, its key.
type Key<K> = (UserId, u64, u64, K);

/// A value with the time its computation started.
type Kept<V> = (OffsetDateTime, Arc<V>);

/// Values of type `V` by user and key `K`.
pub struct UserCache<K, V> {
    ttl: Duration,
    clock: Arc<dyn Clock>,
    /// Whether a new mark drops the user's values (see [`ActivityListener::marked`]).
    marks: bool,
    /// The users' data versions, when values must also be dropped by other processes' writes.
    versions: Option<Arc<dyn DataVersionRepository>>,
    values: moka::future::Cache<Key<K>, Kept<V>>,
    /// Each user's generation: the stamp of their last change (see the module's documentation).
    generations: moka::sync::Cache<UserId, u64>,
    /// The last stamp given.
    stamps: AtomicU64,
}

impl<K, V> std::fmt::Debug for UserCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCache")
            .field("ttl", &self.ttl)
            .field("marks", &self.marks)
            .field("versioned", &self.versions.is_some())
            .field("users", &self.generations.entry_count())
            .finish_non_exhaustive()
    }
}

impl<K, V> UserCache<K, V>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    /// A cache keeping values for `ttl`, timed by `clock`, dropped on a change to the books.
    pub fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        let held = std::time::Duration::try_from(ttl).unwrap_or_default();
        Self {
            ttl,
            clock,
            marks: false,
            versions: None,
            values: moka::future::Cache::builder().max_capacity(MAX_VALUES).time_to_live(held).build(),
            generations: moka::sync::Cache::builder().max_capacity(MAX_USERS).time_to_idle(held * 2).build(),
            stamps: AtomicU64::new(0),
        }
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

    /// `user`'s generation (the counter's current stamp for a user not kept).
    fn generation(&self, user: UserId) -> u64 {
        self.generations.get_with(user, || self.stamps.load(Ordering::SeqCst))
    }

    /// `user`'s value under `key`, computed by `load` on a miss, once for all the readers that
    /// miss it at the same time: they wait for the first one's computation and take its value.
    /// An error is returned to the reader whose `load` failed and not kept; the readers that
    /// waited compute again. A value read before a change heard meanwhile is returned to its
    /// reader but not kept, so the readers behind compute afresh.
    pub async fn get_or_load<E, F, Fut>(&self, user: UserId, key: K, load: F) -> Result<Arc<V>, E>
    where
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
        // `load` runs at most once, when this reader's turn comes (moka drops the futures of
        // the readers that wait, so it stays here for their next try).
        let load = Mutex::new(Some(load));
        // What this reader's own computation gave when it is not for the others: an error, or a
        // value read before a change.
        let own: Mutex<Option<Result<Arc<V>, E>>> = Mutex::new(None);
        loop {
            let generation = self.generation(user);
            let cache_key = (user, generation, version, key.clone());
            if let Some((at, value)) = self.values.get(&cache_key).await {
                if self.clock.now() - at < self.ttl {
                    return Ok(value);
                }
                self.values.invalidate(&cache_key).await;
            }
            let compute = async {
                let load = load.lock().unwrap_or_else(PoisonError::into_inner).take();
                let load = load.expect("a reader computes at most once: it returns after its own computation");
                let at = self.clock.now();
                let outcome = load().await.map(Arc::new);
                match outcome {
                    Ok(value) if self.generation(user) == generation => Ok((at, value)),
                    other => {
                        *own.lock().unwrap_or_else(PoisonError::into_inner) = Some(other);
                        Err(())
                    }
                }
            };
            match self.values.try_get_with(cache_key, compute).await {
                Ok((_, value)) => return Ok(value),
                Err(_) => {
                    if let Some(outcome) = own.lock().unwrap_or_else(PoisonError::into_inner).take() {
                        return outcome;
                    }
                    // Another reader's computation failed or was voided: try again.
                }
            }
        }
    }

    /// Drops `user`'s values and voids the computations in flight.
    pub fn invalidate(&self, user: UserId) {
        let stamp = self.stamps.fetch_add(1, Ordering::SeqCst) + 1;
        self.generations.insert(user, stamp);
    }
}

impl<K, V> ActivityListener for UserCache<K, V>
where
    K: Eq + Hash + Clone + Send + Sync + std::fmt::Debug + 'static,
    V: Send + Sync + std::fmt::Debug + 'static,
{
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
