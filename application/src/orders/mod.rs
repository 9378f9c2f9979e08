//! Order use cases: list the owner's orders with filters, read one, place a manual order in a
//! context (checked against the market's filters and the free balance, idempotent under a
//! client key), and cancel one. One use case per file; what needs the exchange goes through
//! [`OrderExecutor`] (the engine implements it).

mod cancel;
mod checks;
mod create;
mod errors;
mod list;

use std::sync::Arc;

use async_trait::async_trait;
use domain::bots::BotRepository;
use domain::contexts::TradingContext;
use domain::exchange::ClientOrderId;
use domain::orders::{NewOrder, Order, OrderRepository};
use domain::RepoError;

pub(crate) use cancel::final_order;
pub use checks::{check_balance, check_filters, FreeBalance, OrderShape};
pub(crate) use create::key_reused;
pub use create::{
    amount_refusals, client_order_id_for, CreateOrderInput, OrderAmounts, OrderRequest, Placed, MAX_IDEMPOTENCY_KEY_LEN,
};
pub use errors::OrderError;
pub use list::OrderListQuery;

use crate::contexts::ContextService;
use crate::exchanges::ExchangeDirectory;
use crate::AppError;

/// What placing and cancelling on the exchange takes (the engine implements it).
#[async_trait]
pub trait OrderExecutor: Send + Sync {
    /// Stores `new` pending, places it and returns it as stored (acknowledged, rejected, or still
    /// pending when the outcome is unknown). `client_order_id` replaces the generated one; an
    /// existing order with that id is returned as is.
    async fn place_manual(
        &self,
        context: &TradingContext,
        new: NewOrder,
        client_order_id: Option<ClientOrderId>,
    ) -> Result<Order, AppError>;
    /// Cancels an open order on its exchange and syncs it; returns it as stored afterwards.
    async fn cancel(&self, order: Order) -> Result<Order, AppError>;
}

/// The ports order use cases need.
#[derive(Clone)]
pub struct OrderPorts {
    /// Orders.
    pub orders: Arc<dyn OrderRepository>,
    /// Bots (what a context's running bots may still spend or sell).
    pub bots: Arc<dyn BotRepository>,
    /// Contexts (ownership, balances).
    pub contexts: Arc<ContextService>,
    /// Exchanges (market filters and prices).
    pub exchanges: Arc<ExchangeDirectory>,
    /// Placing and cancelling.
    pub executor: Arc<dyn OrderExecutor>,
}

impl std::fmt::Debug for OrderPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderPorts").field("exchanges", &self.exchanges).finish_non_exhaustive()
    }
}

/// Users' orders, manual and placed by their bots.
#[derive(Debug)]
pub struct OrderService {
    ports: OrderPorts,
}

impl OrderService {
    /// A service over `ports`.
    pub fn new(ports: OrderPorts) -> Self {
        Self { ports }
    }
}

/// `NotFound` as a missing order.
pub(crate) fn order_not_found(err: RepoError) -> OrderError {
    match err {
        RepoError::NotFound => OrderError::NotFound,
        other => other.into(),
    }
}
