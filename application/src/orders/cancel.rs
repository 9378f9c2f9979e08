//! Use case: cancel one of the owner's open orders, manual or placed by a bot. The engine asks
//! the exchange and syncs the order, so a bot's blocked funds are released in the same request.

use domain::orders::{Order, OrderStatus};
use domain::shared::ids::UserId;

use super::OrderService;
use crate::AppError;

impl OrderService {
    /// Cancels the owner's open order and returns it as the exchange left it: `canceled` (with
    /// what filled before), or `filled` when the fills won the race. Errors: 404
    /// (also another user's order); 409 `order_final` when it already ended, `order_pending`
    /// when the exchange has not acknowledged it yet, `cancel_unconfirmed` when the exchange
    /// did not confirm the cancellation (sync settles it), `bot_busy`; 503 when the exchange
    /// cannot be reached.
    pub async fn cancel(&self, owner: UserId, id: &str) -> Result<Order, AppError> {
        let order = self.get(owner, id).await?;
        if !order.is_open() {
            return Err(final_order(&order));
        }
        let order = self.ports.executor.cancel(order).await?;
        match order.status {
            OrderStatus::Pending => Err(AppError::Conflict {
                code: "order_pending",
                detail: "the exchange has not acknowledged this order yet; sync resolves it shortly, then retry".into(),
            }),
            OrderStatus::New | OrderStatus::PartiallyFilled => Err(AppError::Conflict {
                code: "cancel_unconfirmed",
                detail: "the exchange did not confirm the cancellation; sync settles the order, read it again shortly"
                    .into(),
            }),
            _ => Ok(order),
        }
    }
}

/// The 409 for an order that already ended.
pub(crate) fn final_order(order: &Order) -> AppError {
    AppError::Conflict {
        code: "order_final",
        detail: format!("the order is already {}; only open orders can be cancelled", order.status.as_str()),
    }
}
