//! The repositories of what the dashboard's figures are made of (bots, their closed positions,
//! orders, contexts), each moving the owner's data version (`domain::shared::data_version`) after
//! every write it stores, whatever wrote it: the engine (fills, answers, breaker trips), the bots'
//! use cases, the withdrawals check, the plan's limit enforcers, an operator's block, a context
//! deleted. So the per-user caches of every process on the store see a change at their next read.
//!
//! Not moved by: a bot's mark-only write ([`BotRepository::update_mark`]: a read model that shows
//! marks drops its own process's cache on it, see `application::engine::ActivityListener`), a
//! record other than a closed position (signals, executions, alerts: no cached figure reads them).
//! A failed bump is logged and the write still succeeds: the caches' TTL bounds the staleness.

use std::sync::Arc;

use async_trait::async_trait;
use domain::bots::{Bot, BotFilter, BotKind, BotRecord, BotRecordRepository, BotRepository, RecordFilter};
use domain::contexts::{ContextRepository, TradingContext};
use domain::exchange::{ClientOrderId, ExchangeId};
use domain::market::Symbol;
use domain::orders::{Order, OrderFilter, OrderRepository};
use domain::shared::data_version::DataVersionRepository;
use domain::shared::ids::{BotId, ContextId, OrderId, UserId};
use domain::{Page, PageRequest, RepoError};

/// The kind of record that moves the version (what the series and metrics read).
const POSITION_CLOSED: &str = "position_closed";

/// Wraps a repository of `T` so its writes move the owners' data versions.
pub struct Versioned<T: ?Sized> {
    inner: Arc<T>,
    versions: Arc<dyn DataVersionRepository>,
}

impl<T: ?Sized> std::fmt::Debug for Versioned<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Versioned").finish_non_exhaustive()
    }
}

impl<T: ?Sized> Versioned<T> {
    /// `inner`, moving `versions` after each write.
    pub fn new(inner: Arc<T>, versions: Arc<dyn DataVersionRepository>) -> Self {
        Self { inner, versions }
    }

    /// Moves `user`'s version after a stored write; a failure is only logged.
    async fn bump(&self, user: UserId) {
        if let Err(err) = self.versions.bump(user).await {
            tracing::warn!(user = %user, error = %err, "could not move a user's data version; caches may lag by their TTL");
        }
    }

    /// `result`, after moving `user`'s version when it is a success.
    async fn bumped<R>(&self, user: UserId, result: Result<R, RepoError>) -> Result<R, RepoError> {
        if result.is_ok() {
            self.bump(user).await;
        }
        result
    }
}

#[async_trait]
impl BotRepository for Versioned<dyn BotRepository> {
    async fn create(&self, bot: &Bot) -> Result<Bot, RepoError> {
        self.bumped(bot.user_id, self.inner.create(bot).await).await
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
        self.bumped(bot.user_id, self.inner.update(bot).await).await
    }
    async fn update_mark(&self, bot: &Bot) -> Result<Bot, RepoError> {
        self.inner.update_mark(bot).await
    }
    async fn delete(&self, owner: UserId, id: BotId) -> Result<(), RepoError> {
        self.bumped(owner, self.inner.delete(owner, id).await).await
    }
}

#[async_trait]
impl BotRecordRepository for Versioned<dyn BotRecordRepository> {
    async fn append(&self, records: &[BotRecord]) -> Result<(), RepoError> {
        self.inner.append(records).await?;
        let mut owners: Vec<UserId> =
            records.iter().filter(|r| r.kind() == POSITION_CLOSED).map(|r| r.user_id).collect();
        owners.dedup();
        for owner in owners {
            self.bump(owner).await;
        }
        Ok(())
    }
    async fn list(
        &self,
        bot: BotId,
        kind: Option<&'static str>,
        page: PageRequest,
    ) -> Result<Page<BotRecord>, RepoError> {
        self.inner.list(bot, kind, page).await
    }
    async fn of_bots(
        &self,
        owner: UserId,
        bots: &[BotId],
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<BotRecord>, RepoError> {
        self.inner.of_bots(owner, bots, filter, page).await
    }
    async fn of_owner(
        &self,
        owner: UserId,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Vec<BotRecord>, RepoError> {
        self.inner.of_owner(owner, filter, page).await
    }
}

#[async_trait]
impl OrderRepository for Versioned<dyn OrderRepository> {
    async fn create(&self, order: &Order) -> Result<Order, RepoError> {
        self.bumped(order.user_id, self.inner.create(order).await).await
    }
    async fn get(&self, owner: UserId, id: OrderId) -> Result<Order, RepoError> {
        self.inner.get(owner, id).await
    }
    async fn get_by_client_id(&self, client_order_id: &ClientOrderId) -> Result<Order, RepoError> {
        self.inner.get_by_client_id(client_order_id).await
    }
    async fn update(&self, order: &Order) -> Result<Order, RepoError> {
        self.bumped(order.user_id, self.inner.update(order).await).await
    }
    async fn list(&self, owner: UserId, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>, RepoError> {
        self.inner.list(owner, filter, page).await
    }
    async fn open(&self, exchange: Option<ExchangeId>, context: Option<ContextId>) -> Result<Vec<Order>, RepoError> {
        self.inner.open(exchange, context).await
    }
    async fn by_bot(&self, bot: BotId) -> Result<Vec<Order>, RepoError> {
        self.inner.by_bot(bot).await
    }
    async fn open_of(&self, owner: UserId) -> Result<Vec<Order>, RepoError> {
        self.inner.open_of(owner).await
    }
}

#[async_trait]
impl ContextRepository for Versioned<dyn ContextRepository> {
    async fn create(&self, context: &TradingContext) -> Result<TradingContext, RepoError> {
        self.bumped(context.user_id, self.inner.create(context).await).await
    }
    async fn get(&self, owner: UserId, id: ContextId) -> Result<TradingContext, RepoError> {
        self.inner.get(owner, id).await
    }
    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<TradingContext>, RepoError> {
        self.inner.list(owner, page).await
    }
    async fn active(&self) -> Result<Vec<TradingContext>, RepoError> {
        self.inner.active().await
    }
    async fn count(&self, owner: UserId) -> Result<u64, RepoError> {
        self.inner.count(owner).await
    }
    async fn update(&self, context: &TradingContext) -> Result<TradingContext, RepoError> {
        self.bumped(context.user_id, self.inner.update(context).await).await
    }
    async fn delete(&self, owner: UserId, id: ContextId) -> Result<(), RepoError> {
        self.bumped(owner, self.inner.delete(owner, id).await).await
    }
}
