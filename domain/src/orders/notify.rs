//! What an order tells its owner: `order.placed` when its exchange acknowledges it,
//! `order.partially_filled` on each new partial fill, then `order.filled`, `order.canceled` (also
//! for an expired or forgotten order) or `order.rejected` (with the exchange's message). Raised
//! into the order's outbox by the transitions themselves, from what they changed, so a report
//! applied twice raises nothing the second time; an adopted order (not placed by botfleet)
//! raises only what happens to it after it was found.

use time::OffsetDateTime;

use super::{Order, OrderDelta, OrderStatus};
use crate::exchange::OrderSide;
use crate::notifications::{Event, EventPayload, OrderData};

impl Order {
    /// What events say of the order now.
    pub fn event_data(&self) -> OrderData {
        OrderData {
            order_id: self.id,
            bot_id: self.bot_id,
            context_id: self.context_id,
            exchange: self.exchange,
            symbol: self.symbol.clone(),
            side: match self.side {
                OrderSide::Buy => "buy",
                OrderSide::Sell => "sell",
            }
            .to_owned(),
            status: self.status.as_str().to_owned(),
            filled_quantity: self.filled_quantity,
            filled_quote: self.filled_quote,
            average_price: self.average_fill_price.map(|p| p.round_dp(12).normalize()),
            error: self.error.clone(),
        }
    }

    fn raise(&mut self, make: fn(OrderData) -> EventPayload, at: OffsetDateTime) {
        let event = Event::new(self.user_id, make(self.event_data()), at);
        self.outbox.raise(event);
    }

    /// Raises the events of what `delta` changed, the order having been in `before` and
    /// acknowledged (holding the exchange's id) or not.
    pub(super) fn raise_changes(
        &mut self,
        before: OrderStatus,
        acknowledged: bool,
        delta: &OrderDelta,
        at: OffsetDateTime,
    ) {
        if !delta.changed {
            return;
        }
        if !acknowledged && self.exchange_order_id.is_some() {
            self.raise(EventPayload::OrderPlaced, at);
        }
        let grew = delta.filled_quantity > rust_decimal::Decimal::ZERO || !delta.fills.is_empty();
        if grew && self.status == OrderStatus::PartiallyFilled {
            self.raise(EventPayload::OrderPartiallyFilled, at);
        }
        if self.status == before {
            return;
        }
        match self.status {
            OrderStatus::Filled => self.raise(EventPayload::OrderFilled, at),
            OrderStatus::Canceled | OrderStatus::Expired => self.raise(EventPayload::OrderCanceled, at),
            OrderStatus::Rejected => self.raise(EventPayload::OrderRejected, at),
            OrderStatus::Pending | OrderStatus::New | OrderStatus::PartiallyFilled => {}
        }
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
