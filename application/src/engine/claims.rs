//! This instance's claims: the in-process half of a bot's lease, and the mark of a manual order
//! whose placement is in flight. The store's lease `bot:<id>` keeps other instances out, but it
//! is renewed for its own holder, so on its own it lets every task of one instance in at once
//! (two workflows, a sync, an owner's command). A claim is exclusive between the tasks of one
//! engine (and its clones); it ends when dropped, a panic included, so a failed task never leaves
//! what it claimed behind.

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

/// What some task of this engine is acting on (bots, or orders being placed).
#[derive(Debug)]
pub(super) struct Claims<K>(Arc<Mutex<HashSet<K>>>);

impl<K> Clone for Claims<K> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<K> Default for Claims<K> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(HashSet::new())))
    }
}

/// One task's claim on one key; dropping it gives the key back.
#[derive(Debug)]
#[must_use = "the claim ends when dropped"]
pub(super) struct Claim<K: Eq + Hash> {
    claims: Claims<K>,
    key: K,
}

impl<K: Eq + Hash + Clone> Claims<K> {
    /// Claims `key` for the caller; `None` while another task holds it.
    pub(super) fn try_claim(&self, key: K) -> Option<Claim<K>> {
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        held.insert(key.clone()).then(|| Claim { claims: self.clone(), key })
    }
}

impl<K: Eq + Hash> Drop for Claim<K> {
    fn drop(&mut self) {
        self.claims.0.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use domain::shared::ids::BotId;

    use super::*;

    #[test]
    fn a_bot_is_claimed_by_one_task_at_a_time_until_its_claim_drops() {
        let claims = Claims::default();
        let (one, other) = (BotId::new(), BotId::new());
        let first = claims.try_claim(one).expect("a free bot is claimed");
        assert!(claims.try_claim(one).is_none(), "a second task is refused while the first holds it");
        assert!(claims.clone().try_claim(one).is_none(), "a clone of the engine shares the claims");
        let _unrelated = claims.try_claim(other).expect("another bot is free");
        drop(first);
        assert!(claims.try_claim(one).is_some(), "a dropped claim frees the bot");
    }

    #[test]
    fn a_task_that_panics_gives_its_claim_back() {
        let claims = Claims::default();
        let bot = BotId::new();
        let inside = claims.clone();
        let panicked = std::panic::catch_unwind(move || {
            let _claim = inside.try_claim(bot).expect("a free bot is claimed");
            panic!("the task fails while it holds the bot");
        });
        assert!(panicked.is_err());
        assert!(claims.try_claim(bot).is_some(), "the bot is free again");
    }
}
