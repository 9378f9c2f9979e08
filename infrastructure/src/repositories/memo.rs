//! Entities decoded from stored text, kept by that text: a page read again (a user's order
//! history, polled by their screen) reuses what the last read decoded instead of parsing every
//! document again, which is most of the cost of such a page.
//!
//! Always coherent, on every engine and with any number of instances: an entity is reused only
//! when the text the store just returned is byte for byte the text it was decoded from, so a
//! document written since (a fill, a status, a relayed outbox) is decoded afresh. The store is
//! still read every time; only the parse is saved. Bounded: least recently used entries go first.

use std::hash::BuildHasher;
use std::sync::{Mutex, PoisonError};

use domain::RepoError;
use hashlink::LruCache;

/// Shards, so that concurrent pages rarely wait for one another.
const SHARDS: usize = 8;

/// One shard: entities by the hash of their text, with the text to compare.
type Shard<T> = Mutex<LruCache<u64, (Box<str>, T)>>;

/// Decoded entities by the hash of their stored text (the text itself kept to compare).
pub(crate) struct TextMemo<T> {
    shards: Box<[Shard<T>]>,
    hasher: foldhash::fast::RandomState,
}

impl<T> std::fmt::Debug for TextMemo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextMemo").field("shards", &SHARDS).finish_non_exhaustive()
    }
}

impl<T: Clone> TextMemo<T> {
    /// A memo of at most `capacity` entities.
    pub(crate) fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(LruCache::new(per_shard))).collect(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// The entity of `text`: the one decoded from the same text before, or `decode(&text)`
    /// (then kept). Errors: `decode`'s.
    pub(crate) fn get_or_decode(
        &self,
        text: String,
        decode: impl FnOnce(&str) -> Result<T, RepoError>,
    ) -> Result<T, RepoError> {
        let hash = self.hasher.hash_one(text.as_str());
        let shard = &self.shards[(hash % SHARDS as u64) as usize];
        if let Some((kept, entity)) = shard.lock().unwrap_or_else(PoisonError::into_inner).get(&hash) {
            if **kept == *text {
                return Ok(entity.clone());
            }
        }
        let entity = decode(&text)?;
        shard.lock().unwrap_or_else(PoisonError::into_inner).insert(hash, (text.into_boxed_str(), entity.clone()));
        Ok(entity)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn number(text: &str) -> Result<u32, RepoError> {
        text.parse().map_err(|_| RepoError::unavailable(anyhow::anyhow!("not a number: {text}")))
    }

    #[test]
    fn the_same_text_is_decoded_once_and_another_text_afresh() {
        let memo = TextMemo::new(16);
        let decoded = Cell::new(0);
        let read = |text: &str| {
            memo.get_or_decode(text.to_owned(), |t| {
                decoded.set(decoded.get() + 1);
                number(t)
            })
        };
        assert_eq!(read("7").unwrap(), 7);
        assert_eq!(read("7").unwrap(), 7);
        assert_eq!(decoded.get(), 1);
        // The document changed: its new text is decoded.
        assert_eq!(read("8").unwrap(), 8);
        assert_eq!(decoded.get(), 2);
        // A text that does not decode is an error, and nothing is kept for it.
        assert!(read("x").is_err());
        assert!(read("x").is_err());
        assert_eq!(decoded.get(), 4);
    }

    #[test]
    fn it_keeps_at_most_its_capacity() {
        let memo = TextMemo::new(SHARDS);
        for n in 0..1000u32 {
            memo.get_or_decode(n.to_string(), number).unwrap();
        }
        let kept: usize = memo.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(kept <= SHARDS, "{kept} entries kept");
    }

    #[test]
    fn a_hash_collision_is_not_a_hit() {
        // Two texts under one hash: forge it by writing the entry of "1" under the hash of "2".
        let memo = TextMemo::new(16);
        let hash = memo.hasher.hash_one("2");
        memo.shards[(hash % SHARDS as u64) as usize].lock().unwrap().insert(hash, ("1".into(), 1u32));
        assert_eq!(memo.get_or_decode("2".to_owned(), number).unwrap(), 2);
    }
}
