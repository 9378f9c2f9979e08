//! Orders a user places or cancels by hand. Placement follows the same protocol as a bot's:
//! (1) the order is stored, pending, under its client order id; (2) only then is the exchange
//! called; (3) its answer acknowledges the order or, when it refused for sure, marks it rejected.
//! A lost answer leaves the order pending for sync to resolve by client order id. Cancelling asks
//! the exchange by client order id and then syncs the order, which also releases what a bot had
//! blocked in it.

use async_trait::async_trait;
use domain::contexts::TradingContext;
use domain::exchange::{ClientOrderId, ExchangeError, OrderRef};
use domain::orders::{NewOrder, Order};
use domain::RepoError;

use super::Engine;
use crate::orders::{final_order, OrderExecutor};
use crate::AppError;

/// Whether an exchange error says for sure that nothing was placed (a time-out or an outage
/// leaves the outcome open: sync looks the order up).
fn refused_for_sure(err: &ExchangeError) -> bool {
    !matches!(err, ExchangeError::OutcomeUnknown(_) | ExchangeError::Unavailable(_))
}

/// Whether a cancellation error still leaves a sync worth doing: the exchange answered about the
/// order (gone, or refusing because it already ended), so its state can be read back now.
fn answered(err: &ExchangeError) -> bool {
    matches!(err, ExchangeError::OrderNotFound | ExchangeError::Rejected { .. })
}

impl Engine {
    /// Places a manual order in `context` and returns it as stored: acknowledged (often already
    /// filled, for a market order), rejected with the exchange's reason, or still pending when the
    /// outcome is unknown. `client_order_id` replaces the generated one (an idempotency key's);
    /// when an order with that id already exists, it is returned and nothing is placed.
    /// Errors: storage failures, a context that cannot reach its exchange (503, 409).
    pub async fn place_manual(
        &self,
        context: &TradingContext,
        new: NewOrder,
        client_order_id: Option<ClientOrderId>,
    ) -> Result<Order, AppError> {
        if new.context_id != context.id || new.user_id != context.user_id {
            return Err(AppError::internal(anyhow::anyhow!("a manual order must belong to its context")));
        }
        let (gateway, creds) = self.connection(context).await?;
        let mut order = Order::new(new, self.ports.clock.now()).map_err(AppError::internal)?;
        if let Some(id) = client_order_id {
            order.client_order_id = id;
        }
        // Sync leaves the order alone until its answer is stored. Held already, the same key is
        // being placed by a concurrent request: storing it below then answers the existing order.
        let _placing = self.placing.try_claim(order.client_order_id.clone());
        // (1) The order exists before the exchange hears of it.
        let mut order = match self.ports.orders.create(&order).await {
            Ok(stored) => stored,
            Err(RepoError::Duplicate { .. }) => {
                let existing = self.ports.orders.get_by_client_id(&order.client_order_id).await?;
                if existing.user_id != order.user_id {
                    return Err(AppError::internal(anyhow::anyhow!("a client order id collides across users")));
                }
                return Ok(existing);
            }
            Err(err) => return Err(err.into()),
        };
        // (2) The exchange.
        let answer = gateway.place_order(&creds, &order.request()).await;
        let now = self.ports.clock.now();
        match answer {
            Ok(report) => {
                if let Err(err) = order.acknowledge(&report, now) {
                    tracing::error!(order = %order.id, error = %err, "the exchange answered for another order");
                    return Ok(order);
                }
            }
            Err(err) if refused_for_sure(&err) => {
                tracing::info!(order = %order.id, error = %err, "the exchange refused a manual order");
                order.mark_rejected(&err.to_string(), now).map_err(AppError::internal)?;
            }
            Err(err) => {
                tracing::warn!(order = %order.id, error = %err, "placement outcome unknown; sync resolves it by client order id");
                return Ok(order);
            }
        }
        // (3) The answer is stored; should that fail, sync brings it in from the exchange.
        let order = self.ports.orders.update(&order).await?;
        self.touched(order.user_id);
        Ok(order)
    }

    /// Cancels an open order on its exchange (by client order id), then syncs it, which applies
    /// the final state and releases what its bot had blocked. A bot's order is cancelled under
    /// the bot's lease. Returns the order as stored afterwards (still open when the exchange has
    /// not confirmed the cancellation). Errors: 409 `order_final` when it already ended,
    /// `bot_busy` while the engine acts on its bot; 503 when the exchange cannot be reached.
    pub async fn cancel(&self, order: Order) -> Result<Order, AppError> {
        if !order.is_open() {
            return Err(final_order(&order).into());
        }
        let context = self.ports.contexts.get(order.user_id, order.context_id).await?;
        let Some(bot) = order.bot_id else { return self.cancel_now(order, &context).await };
        let Some(_claim) = self.lease(bot).await? else {
            return Err(AppError::BotBusy(
                "the engine is acting on this order's bot right now; retry in a few seconds".into(),
            ));
        };
        let result = self.cancel_now(order, &context).await;
        self.release(bot).await;
        result
    }

    async fn cancel_now(&self, order: Order, context: &TradingContext) -> Result<Order, AppError> {
        let (gateway, creds) = self.connection(context).await?;
        let lookup = OrderRef::Client(order.client_order_id.clone());
        match gateway.cancel_order(&creds, &order.symbol, &lookup).await {
            Ok(_) => {}
            Err(err) if answered(&err) => {
                tracing::info!(order = %order.id, error = %err, "cancel refused; reading the order back");
            }
            Err(err) => return Err(crate::exchanges::exchange_error(err).into()),
        }
        let id = order.client_order_id.clone();
        self.sync_one(order, &*gateway, &creds).await?;
        Ok(self.ports.orders.get_by_client_id(&id).await?)
    }
}

#[async_trait]
impl OrderExecutor for Engine {
    async fn place_manual(
        &self,
        context: &TradingContext,
        new: NewOrder,
        client_order_id: Option<ClientOrderId>,
    ) -> Result<Order, AppError> {
        Engine::place_manual(self, context, new, client_order_id).await
    }

    async fn cancel(&self, order: Order) -> Result<Order, AppError> {
        Engine::cancel(self, order).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lost_answers_leave_a_placement_open() {
        assert!(!refused_for_sure(&ExchangeError::OutcomeUnknown("timed out".into())));
        assert!(!refused_for_sure(&ExchangeError::unavailable(anyhow::anyhow!("503"))));
        assert!(refused_for_sure(&ExchangeError::InsufficientBalance));
        assert!(refused_for_sure(&ExchangeError::Rejected { code: "-1013".into(), message: "filter".into() }));
    }

    #[test]
    fn a_cancel_the_exchange_answered_is_followed_by_a_sync() {
        assert!(answered(&ExchangeError::OrderNotFound));
        assert!(answered(&ExchangeError::Rejected { code: "-2011".into(), message: "Unknown order".into() }));
        assert!(!answered(&ExchangeError::OutcomeUnknown("timed out".into())));
        assert!(!answered(&ExchangeError::RateLimited { retry_after_secs: 3 }));
    }
}
