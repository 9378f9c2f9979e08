//! Ports of the trading-context aggregate and of its recorded signals.

use async_trait::async_trait;

use super::{ContextSignal, TradingContext};
use crate::shared::error::RepoError;
use crate::shared::ids::{ContextId, UserId};
use crate::shared::page::{Page, PageRequest};

/// Stores trading contexts. Unique index `contexts_user_market` on (owner, exchange, base, quote).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ContextRepository: Send + Sync {
    /// Inserts. Errors: `Duplicate { index: "contexts_user_market" }`.
    async fn create(&self, context: &TradingContext) -> Result<TradingContext, RepoError>;
    /// The owner's context. Errors: `NotFound` (also for another user's id).
    async fn get(&self, owner: UserId, id: ContextId) -> Result<TradingContext, RepoError>;
    /// The owner's contexts, oldest first.
    async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<TradingContext>, RepoError>;
    /// Every user's active contexts (paused ones left out), oldest first: what workflows visit.
    async fn active(&self) -> Result<Vec<TradingContext>, RepoError>;
    /// How many contexts the owner has.
    async fn count(&self, owner: UserId) -> Result<u64, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, context: &TradingContext) -> Result<TradingContext, RepoError>;
    /// Deletes the owner's context. Errors: `NotFound`.
    async fn delete(&self, owner: UserId, id: ContextId) -> Result<(), RepoError>;
}

/// Stores context signals (collection `context_signals`). Unique index `context_signals_candle`
/// on (context, timeframe, candle open time): one signal per context and closed candle.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ContextSignalRepository: Send + Sync {
    /// Stores `signal` unless it is stored already or its context has one for the same
    /// timeframe and candle; returns whether it was stored. A duplicate is `Ok(false)`, never an error, so runs can
    /// repeat (or race) safely. Errors: `Unavailable`.
    async fn record(&self, signal: &ContextSignal) -> Result<bool, RepoError>;
    /// The owner's signals of `context` whose candle opened at or after `from` (all when
    /// `None`: a history window's start, applied by the store), newest candle first (the newest
    /// record first within a candle). Another owner's context lists nothing.
    async fn list(
        &self,
        owner: UserId,
        context: ContextId,
        from: Option<time::OffsetDateTime>,
        page: PageRequest,
    ) -> Result<Page<ContextSignal>, RepoError>;
    /// The owner's newest signal of `context` (as `list` orders them), if any.
    async fn latest(&self, owner: UserId, context: ContextId) -> Result<Option<ContextSignal>, RepoError>;
}
