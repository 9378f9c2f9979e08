//! The order repository port and its list filter.

use std::collections::BTreeSet;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{Order, OrderStatus, StrategySource};
use crate::exchange::{ClientOrderId, ExchangeId, OrderSide};
use crate::shared::error::RepoError;
use crate::shared::ids::{BotId, ContextId, OrderId, UserId};
use crate::shared::page::{Page, PageRequest};

/// Which of an owner's orders to list; every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Only this context's.
    pub context: Option<ContextId>,
    /// Only this bot's.
    pub bot: Option<BotId>,
    /// Only in one of these statuses (empty: any).
    pub status: BTreeSet<OrderStatus>,
    /// Only this side.
    pub side: Option<OrderSide>,
    /// Only from this strategy.
    pub source: Option<StrategySource>,
    /// Only created at or after this instant.
    pub from: Option<OffsetDateTime>,
    /// Only created before this instant.
    pub to: Option<OffsetDateTime>,
}

/// Stores orders. Unique index `orders_client_order_id`: an order is stored once per client order
/// id, before it is sent, so it can be neither placed twice nor lost.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait OrderRepository: Send + Sync {
    /// Inserts (its `version` is ignored and stored as 1).
    /// Errors: `Duplicate { index: "orders_client_order_id" }`.
    async fn create(&self, order: &Order) -> Result<Order, RepoError>;
    /// The owner's order. Errors: `NotFound` (also for another user's id).
    async fn get(&self, owner: UserId, id: OrderId) -> Result<Order, RepoError>;
    /// The order with that client order id, whoever owns it. Errors: `NotFound`.
    async fn get_by_client_id(&self, client_order_id: &ClientOrderId) -> Result<Order, RepoError>;
    /// Replaces under a version check; returns it with the new version.
    /// Errors: `Conflict` on a stale version, `NotFound`.
    async fn update(&self, order: &Order) -> Result<Order, RepoError>;
    /// The owner's orders matching `filter`, newest first (ties by id, newest first).
    async fn list(&self, owner: UserId, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>, RepoError>;
    /// Every open order (pending, new, partially filled), on one exchange or all, in one context
    /// or all, oldest first: what sync reads.
    async fn open(&self, exchange: Option<ExchangeId>, context: Option<ContextId>) -> Result<Vec<Order>, RepoError>;
    /// The bot's open orders, oldest first.
    async fn by_bot(&self, bot: BotId) -> Result<Vec<Order>, RepoError>;
    /// The owner's open orders (pending, new, partially filled), in no particular order: what
    /// the dashboard counts. Served by an index on (owner, status), never by the owner's history.
    async fn open_of(&self, owner: UserId) -> Result<Vec<Order>, RepoError>;
}
