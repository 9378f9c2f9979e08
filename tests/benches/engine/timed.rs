//! A [`BotRepository`] decorator that times the engine's reads and writes of bots, so a cycle's
//! time splits into loading the bots, writing them back, and everything else.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::bots::{Bot, BotFilter, BotKind, BotRepository};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::{BotId, UserId};
use domain::{Page, PageRequest, RepoError};

/// Time and calls of one kind of access.
#[derive(Debug, Default)]
pub struct Meter {
    calls: AtomicU64,
    nanos: AtomicU64,
}

impl Meter {
    fn add(&self, started: Instant) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Calls and total time so far; resets both.
    pub fn take(&self) -> (u64, Duration) {
        let calls = self.calls.swap(0, Ordering::Relaxed);
        (calls, Duration::from_nanos(self.nanos.swap(0, Ordering::Relaxed)))
    }
}

/// The meters of the bot repository.
#[derive(Debug, Default)]
pub struct BotMeters {
    /// `evaluated`: loading a workflow's bots.
    pub loads: Meter,
    /// `find`: re-reading one bot before acting on it.
    pub finds: Meter,
    /// `update`: writing a bot back.
    pub writes: Meter,
}

/// Bots, timed.
pub struct TimedBots {
    inner: Arc<dyn BotRepository>,
    meters: Arc<BotMeters>,
}

impl TimedBots {
    /// Times `inner` into `meters`.
    pub fn new(inner: Arc<dyn BotRepository>, meters: Arc<BotMeters>) -> Self {
        Self { inner, meters }
    }
}

impl std::fmt::Debug for TimedBots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedBots").field("meters", &self.meters).finish_non_exhaustive()
    }
}

#[async_trait]
impl BotRepository for TimedBots {
    async fn create(&self, bot: &Bot) -> Result<Bot, RepoError> {
        self.inner.create(bot).await
    }

    async fn get(&self, owner: UserId, id: BotId) -> Result<Bot, RepoError> {
        self.inner.get(owner, id).await
    }

    async fn find(&self, id: BotId) -> Result<Bot, RepoError> {
        let started = Instant::now();
        let found = self.inner.find(id).await;
        self.meters.finds.add(started);
        found
    }

    async fn list(&self, owner: UserId, filter: &BotFilter, page: PageRequest) -> Result<Page<Bot>, RepoError> {
        self.inner.list(owner, filter, page).await
    }

    async fn count(&self, owner: UserId) -> Result<u64, RepoError> {
        self.inner.count(owner).await
    }

    async fn evaluated(&self, kinds: &[BotKind], market: Option<(ExchangeId, Symbol)>) -> Result<Vec<Bot>, RepoError> {
        let started = Instant::now();
        let found = self.inner.evaluated(kinds, market).await;
        self.meters.loads.add(started);
        found
    }

    async fn update(&self, bot: &Bot) -> Result<Bot, RepoError> {
        let started = Instant::now();
        let saved = self.inner.update(bot).await;
        self.meters.writes.add(started);
        saved
    }

    async fn delete(&self, owner: UserId, id: BotId) -> Result<(), RepoError> {
        self.inner.delete(owner, id).await
    }
}
