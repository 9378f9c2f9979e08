//! Use cases: list the owner's orders (filters by context, bot, statuses, side, strategy source
//! and creation time; newest first) and read one. Another user's order is not found.

use domain::orders::{Order, OrderFilter};
use domain::shared::ids::{OrderId, UserId};
use domain::PageRequest;

use super::{order_not_found, OrderError, OrderService};
use crate::reports::Windowed;
use crate::FieldError;

/// The list's filters, typed by the caller; each set one must match.
pub type OrderListQuery = OrderFilter;

/// `query` when its range is not empty. Errors: `Invalid` naming `to`.
fn checked(query: &OrderListQuery) -> Result<OrderFilter, OrderError> {
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if to <= from {
            return Err(OrderError::Invalid(vec![FieldError::new(
                "to",
                crate::FieldCode::Invalid,
                "must be after `from`",
            )]));
        }
    }
    Ok(query.clone())
}

impl OrderService {
    /// The owner's orders matching `query` inside their plan's history window (an earlier
    /// `from` is moved up to the window's start), newest first. Errors: `Invalid` when `to` is
    /// not after `from`.
    pub async fn list(
        &self,
        owner: UserId,
        query: &OrderListQuery,
        page: PageRequest,
    ) -> Result<Windowed<Order>, OrderError> {
        let mut filter = checked(query)?;
        let window = self.ports.contexts.subscriptions().history_window(owner).await?;
        filter.from = window.clamp(filter.from);
        Ok(Windowed { page: self.ports.orders.list(owner, &filter, page).await?, window })
    }

    /// The owner's order. Errors: `NotFound` (also for another user's order or a malformed id).
    pub async fn get(&self, owner: UserId, id: OrderId) -> Result<Order, OrderError> {
        self.ports.orders.get(owner, id).await.map_err(order_not_found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_must_not_be_empty() {
        let at = |s: &str| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok();
        let query = OrderListQuery {
            from: at("2025-01-02T00:00:00Z"),
            to: at("2025-01-01T00:00:00Z"),
            ..OrderListQuery::default()
        };
        let Err(OrderError::Invalid(errors)) = checked(&query) else { panic!("an empty range was accepted") };
        assert_eq!(errors[0].field, "to");
        let query = OrderListQuery { to: at("2025-01-03T00:00:00Z"), ..query };
        assert_eq!(checked(&query).unwrap(), query);
    }
}
