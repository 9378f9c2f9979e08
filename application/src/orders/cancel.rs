//! Use case: cancel one of the owner's open orders, manual or placed by a bot. The engine asks
//! the exchange and syncs the order, so a bot's blocked funds are released in the same request.

use domain::orders::{Order, OrderStatus};
use domain::shared::ids::{OrderId, UserId};

use super::{OrderError, OrderService};

impl OrderService {
    /// Cancels the owner's open order and returns it as the exchange left it: `canceled` (with
    /// what filled before), or `filled` when the fills won the race. Errors: `NotFound` (also
    /// another user's order); `Final` when it already ended, `Pending` when the exchange has not
    /// acknowledged it yet, `CancelUnconfirmed` when the exchange did not confirm the
    /// cancellation (sync settles it), `BotBusy`; the credential's and exchange's failures.
    pub async fn cancel(&self, owner: UserId, id: OrderId) -> Result<Order, OrderError> {
        let order = self.get(owner, id).await?;
        if !order.is_open() {
            return Err(final_order(&order));
        }
        let order = self.ports.executor.cancel(order).await?;
        match order.status {
            OrderStatus::Pending => Err(OrderError::Pending),
            OrderStatus::New | OrderStatus::PartiallyFilled => Err(OrderError::CancelUnconfirmed),
            _ => Ok(order),
        }
    }
}

/// The refusal of cancelling an order that already ended.
pub(crate) fn final_order(order: &Order) -> OrderError {
    OrderError::Final { status: order.status }
}
