//! A bounded read-through cache of documents by id, in front of SQLite. Safe because one process
//! owns the data directory (the lock file): every write goes through this store, which keeps the
//! cache coherent. Hits are answered on the caller's thread, without a hop to the store's threads.
//!
//! Coherence, per document:
//! - a write marks the document *pending* before touching the database and drops its entry; until
//!   the write has committed and cleared the mark, reads of that document bypass the cache;
//! - a read that missed takes a [`Ticket`] (its shard's sequence number) before reading the
//!   database and fills the entry only if no write has marked or finished in that shard since,
//!   so a value read before a write can never be cached after it.
//!
//! Lookups by a unique index (a user by e-mail, a subscription by user) map the key to an id; a
//! hit is trusted only if the cached document still holds the key (checked by the caller), so the
//! mapping itself needs no invalidation.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};

use hashlink::LruCache;

/// Shards of the cache, so that threads rarely wait for one another.
const SHARDS: usize = 16;
/// Bookkeeping bytes counted per entry beyond its key and text.
const ENTRY_OVERHEAD: usize = 96;

/// Where a missed read stood before it read the database: see [`DocCache::fill`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Ticket {
    shard: usize,
    seq: u64,
}

#[derive(Debug)]
struct Shard {
    docs: LruCache<String, Arc<str>>,
    bytes: usize,
    /// Documents being written, with how many writes are in flight for each.
    pending: HashMap<String, u32>,
    /// Bumped whenever a write starts or ends in this shard.
    seq: u64,
}

/// The document cache; a budget of zero bytes disables it.
#[derive(Debug)]
pub(super) struct DocCache {
    shards: Box<[Mutex<Shard>]>,
    /// Unique-index key → document id.
    unique: Box<[Mutex<LruCache<String, String>>]>,
    budget_per_shard: usize,
    unique_per_shard: usize,
    hasher: RandomState,
}

fn entry_cost(key: &str, text: &str) -> usize {
    key.len() + text.len() + ENTRY_OVERHEAD
}

impl DocCache {
    /// A cache holding at most about `budget` bytes of documents (0: disabled).
    pub(super) fn new(budget: usize) -> Self {
        let budget_per_shard = budget / SHARDS;
        // Unique keys are small (an id and a key): one per 2 KiB of budget is plenty.
        let unique_per_shard = budget_per_shard / 2048;
        let shard = || Mutex::new(Shard { docs: LruCache::new_unbounded(), bytes: 0, pending: HashMap::new(), seq: 0 });
        Self {
            shards: (0..SHARDS).map(|_| shard()).collect(),
            unique: (0..SHARDS).map(|_| Mutex::new(LruCache::new(unique_per_shard.max(1)))).collect(),
            budget_per_shard,
            unique_per_shard,
            hasher: RandomState::new(),
        }
    }

    /// Whether the cache holds anything at all.
    pub(super) fn enabled(&self) -> bool {
        self.budget_per_shard > 0
    }

    fn key(table: &str, id: &str) -> String {
        let mut key = String::with_capacity(table.len() + 1 + id.len());
        key.push_str(table);
        key.push('\0');
        key.push_str(id);
        key
    }

    fn shard_of(&self, key: &str) -> usize {
        (self.hasher.hash_one(key) as usize) % SHARDS
    }

    fn lock(&self, shard: usize) -> std::sync::MutexGuard<'_, Shard> {
        self.shards[shard].lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached text of the document, unless absent or being written.
    pub(super) fn get(&self, table: &str, id: &str) -> Option<Arc<str>> {
        if !self.enabled() {
            return None;
        }
        let key = Self::key(table, id);
        let mut shard = self.lock(self.shard_of(&key));
        if shard.pending.contains_key(&key) {
            return None;
        }
        shard.docs.get(&key).cloned()
    }

    /// Taken before a missed read goes to the database.
    pub(super) fn ticket(&self, table: &str, id: &str) -> Ticket {
        let index = self.shard_of(&Self::key(table, id));
        Ticket { shard: index, seq: if self.enabled() { self.lock(index).seq } else { 0 } }
    }

    /// Caches `text` as read from the database after `ticket` was taken, unless a write of the
    /// shard started or ended since (the text might then be older than the database).
    pub(super) fn fill(&self, table: &str, id: &str, text: &str, ticket: Ticket) {
        if !self.enabled() {
            return;
        }
        let key = Self::key(table, id);
        let cost = entry_cost(&key, text);
        if cost > self.budget_per_shard {
            return;
        }
        let mut shard = self.lock(ticket.shard);
        if shard.seq != ticket.seq || shard.pending.contains_key(&key) {
            return;
        }
        if let Some(old) = shard.docs.insert(key.clone(), Arc::from(text)) {
            shard.bytes -= entry_cost(&key, &old);
        }
        shard.bytes += cost;
        while shard.bytes > self.budget_per_shard {
            let Some((k, v)) = shard.docs.remove_lru() else { break };
            shard.bytes -= entry_cost(&k, &v);
        }
    }

    /// Marks the documents as being written (their entries dropped, reads bypass the cache) until
    /// the returned guard is dropped, which must happen after the write committed or failed.
    pub(super) fn writing<'i>(&self, table: &str, ids: impl IntoIterator<Item = &'i str>) -> Writing<'_> {
        let keys: Vec<String> =
            if self.enabled() { ids.into_iter().map(|id| Self::key(table, id)).collect() } else { Vec::new() };
        for key in &keys {
            let mut shard = self.lock(self.shard_of(key));
            *shard.pending.entry(key.clone()).or_insert(0) += 1;
            if let Some(old) = shard.docs.remove(key) {
                shard.bytes -= entry_cost(key, &old);
            }
            shard.seq += 1;
        }
        Writing { cache: self, keys }
    }

    fn written(&self, key: &str) {
        let mut shard = self.lock(self.shard_of(key));
        if let Some(count) = shard.pending.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                shard.pending.remove(key);
            }
        }
        if let Some(old) = shard.docs.remove(key) {
            shard.bytes -= entry_cost(key, &old);
        }
        shard.seq += 1;
    }

    /// The id last found under this unique-index key (to be checked against the document).
    pub(super) fn unique_id(&self, key: &str) -> Option<String> {
        if self.unique_per_shard == 0 {
            return None;
        }
        let mut map = self.unique[self.shard_of(key)].lock().unwrap_or_else(PoisonError::into_inner);
        map.get(key).cloned()
    }

    /// Remembers that the unique-index key led to `id`.
    pub(super) fn remember_unique(&self, key: String, id: &str) {
        if self.unique_per_shard == 0 {
            return;
        }
        let shard = self.shard_of(&key);
        let mut map = self.unique[shard].lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(key, id.to_owned());
    }

    /// Bytes of documents held (for tests and metrics).
    pub(super) fn bytes(&self) -> usize {
        (0..SHARDS).map(|i| self.lock(i).bytes).sum()
    }
}

/// Documents being written: see [`DocCache::writing`].
#[must_use = "the documents stay marked as written until the guard is dropped"]
pub(super) struct Writing<'a> {
    cache: &'a DocCache,
    keys: Vec<String>,
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        for key in &self.keys {
            self.cache.written(key);
        }
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
