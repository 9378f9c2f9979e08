//! An order its exchange forgot: acknowledged once (it has the exchange's id), then answered
//! "not found" for longer than anyone would wait for a transient error. Each "not found" is noted
//! (`missing_since`, cleared when the exchange knows the order again), so a single transient one
//! never ends an order. Once ended it is cancelled, keeping what filled, and flagged `forgotten`
//! with the reason, so a person can look at it.

use time::OffsetDateTime;

use super::{FinalStatus, Order, OrderDelta, OrderStatus, SyncError, MAX_ERROR_LEN};
use crate::shared::clock::to_millis;

impl Order {
    /// Notes that the exchange answered "not found" for it at `at`: the first of a streak sets
    /// `missing_since`. Whether it changed.
    pub fn note_missing(&mut self, at: OffsetDateTime) -> bool {
        if self.missing_since.is_some() {
            return false;
        }
        self.missing_since = Some(to_millis(at));
        self.updated_at = to_millis(at);
        true
    }

    /// Notes that the exchange knows it (again): a streak of "not found" ends. Whether it changed.
    pub fn note_found(&mut self) -> bool {
        self.missing_since.take().is_some()
    }

    /// Ends an acknowledged open order (`new` or `partially_filled`, with an exchange order id)
    /// that its exchange no longer knows: `canceled`, its fills, totals, fees and average price
    /// kept, flagged `forgotten`, with `reason` in `error` (cut to [`MAX_ERROR_LEN`] characters;
    /// never a secret). The delta reports the end only: nothing new filled. Idempotent on an
    /// order already forgotten. Errors: `NotAcknowledged` for a pending order, an order without
    /// an exchange id, or any other final order.
    pub fn mark_forgotten(&mut self, reason: &str, at: OffsetDateTime) -> Result<OrderDelta, SyncError> {
        if self.forgotten {
            return Ok(OrderDelta::default());
        }
        let acknowledged = matches!(self.status, OrderStatus::New | OrderStatus::PartiallyFilled);
        if !acknowledged || self.exchange_order_id.is_none() {
            return Err(SyncError::NotAcknowledged(self.status));
        }
        let before = self.status;
        self.status = OrderStatus::Canceled;
        self.forgotten = true;
        self.error = Some(reason.chars().take(MAX_ERROR_LEN).collect());
        self.updated_at = to_millis(at);
        let delta = OrderDelta { finished: Some(FinalStatus::Canceled), changed: true, ..OrderDelta::default() };
        self.raise_changes(before, true, &delta, at);
        Ok(delta)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;

    use super::*;
    use crate::exchange::ExchangeOrderStatus;
    use crate::orders::fixtures::{fill, limit_buy, report, with_fills, T0, T1};

    #[test]
    fn a_partly_filled_order_ends_canceled_keeping_its_fills_and_flagged() {
        let mut o = limit_buy();
        let fills = vec![fill("t1", dec!(0.4), dec!(100), dec!(0.04), "BRL")];
        o.apply(&with_fills(&o, ExchangeOrderStatus::PartiallyFilled, fills), T0).unwrap();
        let before = o.clone();

        let delta = o.mark_forgotten("the exchange no longer knows it", T1).unwrap();

        assert_eq!(delta, OrderDelta { finished: Some(FinalStatus::Canceled), changed: true, ..OrderDelta::default() });
        assert_eq!(
            (o.status, o.forgotten, o.error.as_deref()),
            (OrderStatus::Canceled, true, Some("the exchange no longer knows it"))
        );
        assert_eq!((o.filled_quantity, o.filled_quote, o.average_fill_price), (dec!(0.4), dec!(40), Some(dec!(100))));
        assert_eq!((&o.fills, &o.fees, &o.exchange_order_id), (&before.fills, &before.fees, &before.exchange_order_id));
        assert_eq!(o.updated_at, datetime!(2026-01-02 03:05:00.123 UTC));
        assert!(!o.is_open() && !before.forgotten);
    }

    #[test]
    fn a_streak_of_not_found_starts_once_and_ends_when_found() {
        let mut o = limit_buy();
        assert!(o.note_missing(T0));
        assert!(!o.note_missing(T1), "a streak keeps its start");
        assert_eq!(o.missing_since, Some(to_millis(T0)));
        assert!(o.note_found());
        assert!(!o.note_found());
        assert_eq!(o.missing_since, None);
    }

    #[test]
    fn forgetting_twice_changes_nothing_and_a_later_report_neither() {
        let mut o = limit_buy();
        o.apply(&report(&o, ExchangeOrderStatus::New, dec!(0), dec!(0)), T0).unwrap();
        o.mark_forgotten("gone", T0).unwrap();
        let before = o.clone();

        let again = o.mark_forgotten("gone again", T1).unwrap();
        let late = o.apply(&report(&o, ExchangeOrderStatus::Filled, dec!(1), dec!(100)), T1).unwrap();

        assert_eq!((again, late), (OrderDelta::default(), OrderDelta::default()));
        assert_eq!(o, before);
    }

    #[test]
    fn only_an_acknowledged_open_order_can_be_forgotten() {
        let pending = limit_buy();
        let mut filled = limit_buy();
        filled.apply(&report(&filled, ExchangeOrderStatus::Filled, dec!(1), dec!(100)), T0).unwrap();
        let mut canceled = limit_buy();
        canceled.apply(&report(&canceled, ExchangeOrderStatus::Canceled, dec!(0), dec!(0)), T0).unwrap();
        let mut no_id = limit_buy();
        no_id.status = OrderStatus::New;

        for (mut o, status) in [
            (pending, OrderStatus::Pending),
            (filled, OrderStatus::Filled),
            (canceled, OrderStatus::Canceled),
            (no_id, OrderStatus::New),
        ] {
            let before = o.clone();
            assert_eq!(o.mark_forgotten("gone", T1), Err(SyncError::NotAcknowledged(status)));
            assert_eq!(o, before, "left untouched");
        }
    }
}
