//! A bot repository that loses races on purpose: armed, it lets a concurrent writer (the bot's
//! owner renaming it, or any change the test sets) update the stored bot just before the engine's
//! own update, so that update meets a version conflict exactly as it would under a real
//! concurrent write. Poisoned, it panics once on a chosen bot's next write, as a bug in that
//! bot's evaluation would (the isolation tests).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::bots::{Bot, BotFilter, BotKind, BotRepository};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::{BotId, UserId};
use domain::{Page, PageRequest, RepoError};

/// The name the concurrent writer gives a bot on its `n`-th write (1 first).
pub fn concurrent_name(n: u32) -> String {
    format!("renamed by its owner ({n})")
}

/// What the concurrent writer does to the bot on its `n`-th write.
pub type Change = fn(&mut Bot, u32);

fn rename(bot: &mut Bot, n: u32) {
    bot.name = concurrent_name(n);
}

/// A [`BotRepository`] over `inner` that injects concurrent writes before chosen updates.
pub struct ConflictingBots {
    inner: Arc<dyn BotRepository>,
    /// Updates to let through before the writes start.
    skip: AtomicU32,
    /// Updates still to precede with a concurrent write.
    armed: AtomicU32,
    /// Concurrent writes done so far.
    written: AtomicU32,
    /// What they change.
    change: Mutex<Change>,
    /// The bot whose next update panics.
    poisoned: Mutex<Option<BotId>>,
}

impl std::fmt::Debug for ConflictingBots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConflictingBots").field("armed", &self.armed).finish_non_exhaustive()
    }
}

impl ConflictingBots {
    /// Over `inner`, disarmed.
    pub fn new(inner: Arc<dyn BotRepository>) -> Self {
        let (skip, armed, written) = (AtomicU32::new(0), AtomicU32::new(0), AtomicU32::new(0));
        Self { inner, skip, armed, written, change: Mutex::new(rename), poisoned: Mutex::new(None) }
    }

    /// Makes the concurrent writes apply `change` instead of renaming the bot.
    pub fn set_change(&self, change: Change) {
        *self.change.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = change;
    }

    /// Lets `skip` updates through, then precedes each of the next `conflicts` updates with a
    /// concurrent write, so each of them conflicts.
    pub fn arm(&self, skip: u32, conflicts: u32) {
        self.skip.store(skip, Ordering::SeqCst);
        self.armed.store(conflicts, Ordering::SeqCst);
    }

    /// Makes the next update of bot `id` panic (once).
    pub fn poison(&self, id: BotId) {
        *self.poisoned.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(id);
    }

    /// Concurrent writes done so far.
    pub fn written(&self) -> u32 {
        self.written.load(Ordering::SeqCst)
    }

    /// Armed writes not spent yet.
    pub fn armed(&self) -> u32 {
        self.armed.load(Ordering::SeqCst)
    }

    fn take(counter: &AtomicU32) -> bool {
        counter.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
    }

    async fn write_concurrently(&self, id: BotId) -> Result<(), RepoError> {
        let n = self.written.fetch_add(1, Ordering::SeqCst) + 1;
        let change = *self.change.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut theirs = self.inner.find(id).await?;
        change(&mut theirs, n);
        self.inner.update(&theirs).await.map(|_| ())
    }
}

#[async_trait]
impl BotRepository for ConflictingBots {
    async fn create(&self, bot: &Bot) -> Result<Bot, RepoError> {
        self.inner.create(bot).await
    }

    async fn get(&self, owner: UserId, id: BotId) -> Result<Bot, RepoError> {
        self.inner.get(owner, id).await
    }

    async fn find(&self, id: BotId) -> Result<Bot, RepoError> {
        self.inner.find(id).await
    }

    async fn list(&self, owner: UserId, filter: &BotFilter, page: PageRequest) -> Result<Page<Bot>, RepoError> {
        self.inner.list(owner, filter, page).await
    }

    async fn count(&self, owner: UserId) -> Result<u64, RepoError> {
        self.inner.count(owner).await
    }

    async fn evaluated(&self, kinds: &[BotKind], market: Option<(ExchangeId, Symbol)>) -> Result<Vec<Bot>, RepoError> {
        self.inner.evaluated(kinds, market).await
    }

    async fn update(&self, bot: &Bot) -> Result<Bot, RepoError> {
        let poisoned = {
            let mut poisoned = self.poisoned.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            poisoned.take_if(|id| *id == bot.id).is_some()
        };
        if poisoned {
            panic!("poisoned bot {}: a bug while writing it", bot.id);
        }
        if !Self::take(&self.skip) && Self::take(&self.armed) {
            self.write_concurrently(bot.id).await?;
        }
        self.inner.update(bot).await
    }

    async fn delete(&self, owner: UserId, id: BotId) -> Result<(), RepoError> {
        self.inner.delete(owner, id).await
    }
}
