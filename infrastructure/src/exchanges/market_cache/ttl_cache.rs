//! [`TtlCache`]: values kept for a time-to-live, with single-flight misses: concurrent callers of
//! one key wait for one fetch and share its result, success or error; only successes are kept.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::exchange::ExchangeError;
use tokio::time::Instant;

/// One key's state. Its async mutex is held for the length of a fetch, so callers arriving
/// meanwhile queue behind it instead of fetching too.
#[derive(Debug)]
struct Slot<V> {
    state: tokio::sync::Mutex<SlotState<V>>,
    /// Fetches finished on this key; tells a queued caller that a fetch ended while it waited.
    finished: AtomicU64,
}

#[derive(Debug)]
struct SlotState<V> {
    value: Option<(V, Instant)>,
    /// The latest fetch's error, for callers that were waiting on it (never served to later ones).
    last_error: Option<ExchangeError>,
}

/// A TTL cache of one kind of market data.
#[derive(Debug)]
pub(crate) struct TtlCache<K, V> {
    slots: Mutex<HashMap<K, Arc<Slot<V>>>>,
    max_entries: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    /// A cache that sweeps expired entries once it holds `max_entries` keys.
    pub(crate) fn new(max_entries: usize) -> Self {
        Self { slots: Mutex::default(), max_entries: max_entries.max(1) }
    }

    /// The fresh value of `key`, or the result of one `fetch` shared by every concurrent caller.
    /// A success is kept for `ttl(&value)`; an error goes to the callers that were waiting for
    /// it and is then forgotten.
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        key: K,
        ttl: impl FnOnce(&V) -> Duration,
        fetch: F,
    ) -> Result<V, ExchangeError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, ExchangeError>>,
    {
        let slot = self.slot(key);
        let seen = slot.finished.load(Ordering::Acquire);
        let mut state = slot.state.lock().await;
        if let Some((value, expires)) = &state.value {
            if Instant::now() < *expires {
                return Ok(value.clone());
            }
        }
        if slot.finished.load(Ordering::Acquire) != seen {
            if let Some(err) = &state.last_error {
                return Err(copy_error(err));
            }
        }
        let result = fetch().await;
        match &result {
            Ok(value) => {
                state.value = Some((value.clone(), Instant::now() + ttl(value)));
                state.last_error = None;
            }
            Err(err) => state.last_error = Some(copy_error(err)),
        }
        slot.finished.fetch_add(1, Ordering::Release);
        result
    }

    /// The slot of `key`, created if missing; sweeps expired idle slots when the map is full.
    fn slot(&self, key: K) -> Arc<Slot<V>> {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(slot) = slots.get(&key) {
            return Arc::clone(slot);
        }
        if slots.len() >= self.max_entries {
            let now = Instant::now();
            slots.retain(|_, slot| {
                Arc::strong_count(slot) > 1
                    || slot.state.try_lock().map_or(true, |s| s.value.as_ref().is_some_and(|(_, exp)| now < *exp))
            });
        }
        let slot = Arc::new(Slot {
            state: tokio::sync::Mutex::new(SlotState { value: None, last_error: None }),
            finished: AtomicU64::new(0),
        });
        slots.insert(key, Arc::clone(&slot));
        slot
    }

    /// Keys held (fresh or not), for tests of the sweep.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.lock().unwrap().len()
    }
}

/// The same error for another caller. `ExchangeError` is not `Clone` (it may hold an
/// `anyhow::Error`): an `Unavailable` keeps its message chain as text.
pub(crate) fn copy_error(err: &ExchangeError) -> ExchangeError {
    match err {
        ExchangeError::UnknownSymbol(s) => ExchangeError::UnknownSymbol(s.clone()),
        ExchangeError::UnsupportedTimeframe(t) => ExchangeError::UnsupportedTimeframe(*t),
        ExchangeError::Filter(f) => ExchangeError::Filter(f.clone()),
        ExchangeError::InsufficientBalance => ExchangeError::InsufficientBalance,
        ExchangeError::OrderNotFound => ExchangeError::OrderNotFound,
        ExchangeError::Unauthorized(m) => ExchangeError::Unauthorized(m.clone()),
        ExchangeError::RateLimited { retry_after_secs } => {
            ExchangeError::RateLimited { retry_after_secs: *retry_after_secs }
        }
        ExchangeError::Banned { until } => ExchangeError::Banned { until: *until },
        ExchangeError::Rejected { code, message } => {
            ExchangeError::Rejected { code: code.clone(), message: message.clone() }
        }
        ExchangeError::OutcomeUnknown(m) => ExchangeError::OutcomeUnknown(m.clone()),
        ExchangeError::Unavailable(source) => ExchangeError::Unavailable(anyhow::anyhow!("{source:#}")),
    }
}
