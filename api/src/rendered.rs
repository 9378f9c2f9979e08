//! JSON rendered once: per cached read model ([`RenderedJson`]) and per list item
//! ([`RenderedEach`]).
//!
//! Per cached read model. A per-user cache (`application::user_cache`) hands
//! every hit the same `Arc` of its value; converting that value to its response and serialising
//! it (a year of daily points in decimals and timestamps: tens of kilobytes) was most of a hit's
//! CPU. [`RenderedJson`] keeps the bytes of each value it rendered, keyed by the value's address,
//! and serves them to every later request for the same `Arc`.
//!
//! An entry holds a `Weak` of its value: while the entry exists the allocation cannot be reused,
//! so an address found in the map is that value; entries whose value the cache dropped (no strong
//! holder left) are removed on the next insert, so memory follows the cache's own.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use actix_web::web::Bytes;
use hashlink::LruCache;
use serde::Serialize;

/// The rendered JSON of values of type `V`, by value.
pub struct RenderedJson<V> {
    entries: Mutex<HashMap<usize, (Weak<V>, Bytes)>>,
}

impl<V> Default for RenderedJson<V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }
}

impl<V> std::fmt::Debug for RenderedJson<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("RenderedJson").field("entries", &entries).finish()
    }
}

impl<V> RenderedJson<V> {
    /// The JSON of `render(value)`, rendered on the first call for this `value` (this `Arc`)
    /// and served from memory after.
    ///
    /// # Errors
    /// When serialising fails (never for the response types: they have string keys).
    pub fn json<T: Serialize>(&self, value: &Arc<V>, render: impl FnOnce(&V) -> T) -> serde_json::Result<Bytes> {
        let key = Arc::as_ptr(value) as usize;
        if let Some((_, bytes)) = self.entries.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::from(serde_json::to_vec(&render(value))?);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, (weak, _)| weak.strong_count() > 0);
        entries.insert(key, (Arc::downgrade(value), bytes.clone()));
        Ok(bytes)
    }

    /// How many values have their JSON kept.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether none has.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How many values [`RenderedEach`] keeps the JSON of (with the value, to compare).
const RENDERED_EACH: usize = 10_000;

/// The rendered JSON of list items by their id: an item listed again as it was (equal to the value
/// it was rendered from) is served its bytes instead of being converted and serialised again,
/// which was most of what is left of a history page's CPU. Coherent by construction: a value that
/// differs in any field is rendered afresh. Bounded: the least recently used go first.
pub struct RenderedEach<K, V> {
    entries: Mutex<LruCache<K, (V, Bytes)>>,
}

impl<K: Hash + Eq, V> Default for RenderedEach<K, V> {
    fn default() -> Self {
        Self { entries: Mutex::new(LruCache::new(RENDERED_EACH)) }
    }
}

impl<K: Hash + Eq, V> std::fmt::Debug for RenderedEach<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("RenderedEach").field("entries", &entries).finish()
    }
}

impl<K: Hash + Eq, V: PartialEq + Clone> RenderedEach<K, V> {
    /// The JSON of `render(value)`, from memory when the value kept under `key` equals `value`.
    ///
    /// # Errors
    /// When serialising fails (never for the response types: they have string keys).
    pub fn json<T: Serialize>(&self, key: K, value: V, render: impl FnOnce(V) -> T) -> serde_json::Result<Bytes> {
        if let Some((kept, bytes)) = self.entries.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            if *kept == value {
                return Ok(bytes.clone());
            }
        }
        let bytes = Bytes::from(serde_json::to_vec(&render(value.clone()))?);
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).insert(key, (value, bytes.clone()));
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn a_value_is_rendered_once_and_a_new_one_afresh() {
        let cache: RenderedJson<Vec<u32>> = RenderedJson::default();
        let renders = Cell::new(0);
        let render = |v: &Vec<u32>| {
            renders.set(renders.get() + 1);
            serde_json::json!({ "points": v })
        };
        let first = Arc::new(vec![1, 2]);
        assert_eq!(cache.json(&first, render).unwrap(), Bytes::from_static(br#"{"points":[1,2]}"#));
        assert_eq!(cache.json(&first.clone(), render).unwrap(), Bytes::from_static(br#"{"points":[1,2]}"#));
        assert_eq!(renders.get(), 1, "the same Arc: served from memory");
        let second = Arc::new(vec![3]);
        assert_eq!(cache.json(&second, render).unwrap(), Bytes::from_static(br#"{"points":[3]}"#));
        assert_eq!(renders.get(), 2, "another value is rendered");
    }

    #[test]
    fn the_json_of_a_dropped_value_goes_with_the_next_insert() {
        let cache: RenderedJson<u32> = RenderedJson::default();
        for n in 0..100 {
            let value = Arc::new(n);
            let bytes = cache.json(&value, |v| *v).unwrap();
            assert_eq!(bytes, Bytes::from(n.to_string()), "never another value's bytes");
        }
        assert_eq!(cache.len(), 1, "only the last value's, until the next insert");
        let kept = Arc::new(7);
        cache.json(&kept, |v| *v).unwrap();
        let other = Arc::new(8);
        cache.json(&other, |v| *v).unwrap();
        assert_eq!(cache.len(), 2, "both alive");
    }

    #[test]
    fn an_item_is_rendered_again_only_when_it_changed() {
        let cache: RenderedEach<u32, (u32, &str)> = RenderedEach::default();
        let renders = Cell::new(0);
        let render = |(n, s): (u32, &str)| {
            renders.set(renders.get() + 1);
            serde_json::json!({ "n": n, "s": s })
        };
        assert_eq!(cache.json(1, (5, "a"), render).unwrap(), Bytes::from_static(br#"{"n":5,"s":"a"}"#));
        assert_eq!(cache.json(1, (5, "a"), render).unwrap(), Bytes::from_static(br#"{"n":5,"s":"a"}"#));
        assert_eq!(renders.get(), 1, "listed again as it was: from memory");
        assert_eq!(cache.json(1, (5, "b"), render).unwrap(), Bytes::from_static(br#"{"n":5,"s":"b"}"#));
        assert_eq!(cache.json(2, (5, "b"), render).unwrap(), Bytes::from_static(br#"{"n":5,"s":"b"}"#));
        assert_eq!(renders.get(), 3, "a changed item and another key are rendered");
        for n in 0..(RENDERED_EACH as u32 + 10) {
            cache.json(n, (n, "x"), render).unwrap();
        }
        assert_eq!(cache.entries.lock().unwrap().len(), RENDERED_EACH);
    }
}
