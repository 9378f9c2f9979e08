//! Keeping an order in step with what its exchange reports. Reports may repeat, arrive out of
//! order, or carry only cumulative totals: [`Order::apply`] turns each into exactly what is new.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{FinalStatus, Order, OrderFill, OrderStatus, StrategySource};
use crate::exchange::{ClientOrderId, ExchangeId, ExchangeOrder, Fill, OrderSize};
use crate::shared::clock::to_millis;
use crate::shared::ids::{ContextId, OrderId, UserId};

/// The longest rejection reason kept, in characters.
pub const MAX_ERROR_LEN: usize = 500;

/// What one exchange report brought that was not known before: the part to move in the books.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderDelta {
    /// Newly filled base quantity (never negative).
    pub filled_quantity: Decimal,
    /// Newly filled quote amount (never negative).
    pub filled_quote: Decimal,
    /// New fees, per asset.
    pub fees: BTreeMap<String, Decimal>,
    /// Executions not seen before.
    pub fills: Vec<OrderFill>,
    /// How the order ended, when it just did.
    pub finished: Option<FinalStatus>,
    /// Whether the order changed at all (and so must be saved).
    pub changed: bool,
}

/// Why a report or transition is refused; the order is left untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The report is of another order: `field` differs from ours.
    #[error("the exchange report is of another order: its {field} differs")]
    NotThisOrder {
        /// The field that differs (`client_order_id`, `exchange_order_id`, `symbol`, `side`).
        field: &'static str,
    },
    /// An acknowledgement must carry the exchange's order id.
    #[error("the exchange's answer carries no order id")]
    NoExchangeOrderId,
    /// Only a pending order can be rejected at placement.
    #[error("only a pending order can be marked rejected; this one is {0:?}")]
    NotPending(OrderStatus),
    /// Only an acknowledged open order (with the exchange's id) can be marked forgotten.
    #[error("only an acknowledged open order can be marked forgotten; this one is {0:?}")]
    NotAcknowledged(OrderStatus),
}

/// How far along the life cycle a status is; a report never moves an order backwards.
fn progress(status: OrderStatus) -> u8 {
    match status {
        OrderStatus::Pending => 0,
        OrderStatus::New => 1,
        OrderStatus::PartiallyFilled => 2,
        OrderStatus::Filled | OrderStatus::Canceled | OrderStatus::Rejected | OrderStatus::Expired => 3,
    }
}

impl Order {
    /// Applies an exchange report and returns only what is new since the last one. Fills are
    /// deduplicated by trade id; cumulative totals only count when they exceed what is known, so
    /// a stale or repeated report changes nothing; a final order changes no more. Errors:
    /// `NotThisOrder` when the report's ids, symbol or side are not this order's.
    pub fn apply(&mut self, report: &ExchangeOrder, at: OffsetDateTime) -> Result<OrderDelta, SyncError> {
        self.check_identity(report)?;
        let (before, acknowledged) = (self.status, self.exchange_order_id.is_some());
        let delta = self.absorb(report, at);
        self.raise_changes(before, acknowledged, &delta, at);
        Ok(delta)
    }

    /// Applies the exchange's answer to the placement: records its order id and whatever already
    /// filled (a market order often comes back filled). Errors: as [`Order::apply`], and
    /// `NoExchangeOrderId`.
    pub fn acknowledge(&mut self, placed: &ExchangeOrder, at: OffsetDateTime) -> Result<OrderDelta, SyncError> {
        if placed.exchange_order_id.trim().is_empty() {
            return Err(SyncError::NoExchangeOrderId);
        }
        self.apply(placed, at)
    }

    /// Records that the exchange refused the order at placement, with its `reason` (cut to
    /// [`MAX_ERROR_LEN`] characters; it must never hold a secret). Idempotent on a rejected
    /// order. Errors: `NotPending` for any other status.
    pub fn mark_rejected(&mut self, reason: &str, at: OffsetDateTime) -> Result<OrderDelta, SyncError> {
        match self.status {
            OrderStatus::Pending => {
                self.status = OrderStatus::Rejected;
                self.error = Some(reason.chars().take(MAX_ERROR_LEN).collect());
                self.updated_at = to_millis(at);
                let delta =
                    OrderDelta { finished: Some(FinalStatus::Rejected), changed: true, ..OrderDelta::default() };
                self.raise_changes(OrderStatus::Pending, false, &delta, at);
                Ok(delta)
            }
            OrderStatus::Rejected => Ok(OrderDelta::default()),
            other => Err(SyncError::NotPending(other)),
        }
    }

    /// An order found on the exchange that we did not know, owned by `user_id` in `context_id`:
    /// flagged `adopted`, manual, with the report already applied. Keeps the report's client
    /// order id, or gets a fresh `ad-` one when it has none.
    pub fn adopt(
        report: &ExchangeOrder,
        user_id: UserId,
        context_id: ContextId,
        exchange: ExchangeId,
        at: OffsetDateTime,
    ) -> Self {
        let at = to_millis(at);
        let size = match (report.quantity, report.quote_amount) {
            (Some(quantity), _) => OrderSize::Quantity(quantity),
            (None, Some(amount)) => OrderSize::QuoteAmount(amount),
            (None, None) => OrderSize::Quantity(report.filled_quantity),
        };
        let client_order_id = report.client_order_id.clone().unwrap_or_else(adopted_client_id);
        let created_at = report.created_at.map_or(at, to_millis);
        let mut order = Order {
            id: OrderId::new(),
            user_id,
            context_id,
            exchange,
            symbol: report.symbol.clone(),
            bot_id: None,
            source: StrategySource::Manual,
            side: report.side,
            kind: report.kind,
            size,
            status: OrderStatus::Pending,
            filled_quantity: Decimal::ZERO,
            filled_quote: Decimal::ZERO,
            average_fill_price: None,
            fees: BTreeMap::new(),
            fills: Vec::new(),
            exchange_order_id: None,
            client_order_id,
            creation: Default::default(),
            reason: None,
            adopted: true,
            forgotten: false,
            missing_since: None,
            error: None,
            outbox: Default::default(),
            version: 0,
            created_at,
            updated_at: at,
        };
        order.absorb(report, at);
        order
    }

    fn check_identity(&self, report: &ExchangeOrder) -> Result<(), SyncError> {
        let differs = |field| Err(SyncError::NotThisOrder { field });
        if report.client_order_id.as_ref().is_some_and(|c| *c != self.client_order_id) {
            return differs("client_order_id");
        }
        if self.exchange_order_id.as_ref().is_some_and(|e| *e != report.exchange_order_id) {
            return differs("exchange_order_id");
        }
        if report.symbol != self.symbol {
            return differs("symbol");
        }
        if report.side != self.side {
            return differs("side");
        }
        Ok(())
    }

    /// `apply` without the identity check.
    fn absorb(&mut self, report: &ExchangeOrder, at: OffsetDateTime) -> OrderDelta {
        let mut delta = OrderDelta::default();
        if !self.is_open() {
            return delta;
        }
        if self.exchange_order_id.is_none() && !report.exchange_order_id.trim().is_empty() {
            self.exchange_order_id = Some(report.exchange_order_id.clone());
            delta.changed = true;
        }
        self.absorb_fills(&report.fills, &mut delta);
        self.absorb_totals(report, &mut delta);

        let reported = OrderStatus::from(report.status);
        let next = match (reported.is_open(), self.filled_quantity > Decimal::ZERO) {
            (true, true) => OrderStatus::PartiallyFilled,
            (true, false) => OrderStatus::New,
            (false, _) => reported,
        };
        if progress(next) > progress(self.status) {
            self.status = next;
            delta.finished = next.final_status();
            delta.changed = true;
        }
        if delta.changed {
            self.updated_at = to_millis(at);
        }
        delta
    }

    /// Journals the fills not seen before and adds their fees.
    fn absorb_fills(&mut self, fills: &[Fill], delta: &mut OrderDelta) {
        for fill in fills {
            let known = self.fills.iter().chain(&delta.fills).any(|f| f.trade_id == fill.trade_id);
            if known || fill.quantity <= Decimal::ZERO {
                continue;
            }
            if !fill.fee.is_zero() && !fill.fee_asset.is_empty() {
                *delta.fees.entry(fill.fee_asset.clone()).or_default() += fill.fee;
            }
            delta.fills.push(OrderFill {
                trade_id: fill.trade_id.clone(),
                price: fill.price,
                quantity: fill.quantity,
                fee: fill.fee,
                fee_asset: fill.fee_asset.clone(),
                at: fill.at.map(to_millis),
            });
        }
        if delta.fills.is_empty() {
            return;
        }
        self.fills.extend(delta.fills.iter().cloned());
        for (asset, fee) in &delta.fees {
            let total = self.fees.entry(asset.clone()).or_default();
            *total = total.saturating_add(*fee);
        }
        delta.changed = true;
    }

    /// Moves the filled totals to the most filled of what we know, the report's cumulative totals
    /// and the sum of the journaled fills; preferring the report's totals on a tie.
    fn absorb_totals(&mut self, report: &ExchangeOrder, delta: &mut OrderDelta) {
        let journal = self.fills.iter().fold((Decimal::ZERO, Decimal::ZERO), |(q, v), f| {
            // A report too large for a Decimal saturates rather than panics; the exchange's
            // own totals then decide.
            (q.saturating_add(f.quantity), v.saturating_add(f.quantity.saturating_mul(f.price)))
        });
        let best = [journal, (report.filled_quantity, report.filled_quote)]
            .into_iter()
            .filter(|(quantity, _)| *quantity > self.filled_quantity)
            .max_by_key(|(quantity, _)| *quantity);
        let Some((quantity, quote)) = best else { return };
        delta.filled_quantity = quantity - self.filled_quantity;
        delta.filled_quote = (quote - self.filled_quote).max(Decimal::ZERO);
        self.filled_quantity = quantity;
        self.filled_quote = self.filled_quote.saturating_add(delta.filled_quote);
        self.average_fill_price = self.filled_quote.checked_div(self.filled_quantity);
        delta.changed = true;
    }
}

/// A client order id for an adopted order that had none: `ad-` plus a ULID.
fn adopted_client_id() -> ClientOrderId {
    ClientOrderId::parse(&format!("ad-{}", ulid::Ulid::new())).expect("`ad-` and a ULID is a valid client order id")
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sync_props.rs"]
mod props;
