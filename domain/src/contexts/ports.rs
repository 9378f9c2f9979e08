//! Ports of the trading-context aggregate.

use async_trait::async_trait;

use super::TradingContext;
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
    /// How many contexts the owner has.
    async fn count(&self, owner: UserId) -> Result<u64, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, context: &TradingContext) -> Result<TradingContext, RepoError>;
    /// Deletes the owner's context. Errors: `NotFound`.
    async fn delete(&self, owner: UserId, id: ContextId) -> Result<(), RepoError>;
}
