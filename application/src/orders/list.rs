//! Use cases: list the owner's orders (filters by context, bot, statuses, side, strategy source
//! and creation time; newest first) and read one. Another user's order is not found.

use std::collections::BTreeSet;

use domain::exchange::OrderSide;
use domain::orders::{Order, OrderFilter, OrderStatus, StrategySource};
use domain::shared::ids::{BotId, ContextId, OrderId, UserId};
use domain::PageRequest;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{order_not_found, OrderError, OrderService};
use crate::reports::Windowed;
use crate::FieldError;

/// List filters as the client sends them; each set one must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderListQuery {
    /// Context id.
    pub context_id: Option<String>,
    /// Bot id.
    pub bot_id: Option<String>,
    /// Statuses, comma-separated (`new,partially_filled`).
    pub status: Option<String>,
    /// `buy` or `sell`.
    pub side: Option<String>,
    /// Strategy source (`manual`, `smart`, `candle`, `dca`, `channel`).
    pub source: Option<String>,
    /// Created at or after this RFC 3339 instant.
    pub from: Option<String>,
    /// Created before this RFC 3339 instant.
    pub to: Option<String>,
}

fn parse_side(raw: &str) -> Result<OrderSide, String> {
    match raw {
        "buy" => Ok(OrderSide::Buy),
        "sell" => Ok(OrderSide::Sell),
        other => Err(format!("unknown side `{other}`; expected buy or sell")),
    }
}

fn instant(raw: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| format!("`{raw}` is not an RFC 3339 instant"))
}

fn statuses(raw: &str) -> Result<BTreeSet<OrderStatus>, String> {
    raw.split(',').map(str::trim).map(|s| s.parse::<OrderStatus>().map_err(|e| e.to_string())).collect()
}

/// Parses a filter the client gave (blank counts as not given); a bad one is added to `errors`.
fn given<T>(
    errors: &mut Vec<FieldError>,
    name: &str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let value = raw.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    parse(value).map_err(|message| errors.push(FieldError::new(name, crate::FieldCode::Invalid, message))).ok()
}

impl OrderListQuery {
    /// The repository filter; every bad field is named. Errors: `Invalid`.
    pub fn filter(&self) -> Result<OrderFilter, OrderError> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let filter = OrderFilter {
            context: given(e, "context_id", &self.context_id, |c| {
                ContextId::parse(c).ok_or_else(|| "must be a context id".to_owned())
            }),
            bot: given(e, "bot_id", &self.bot_id, |b| BotId::parse(b).ok_or_else(|| "must be a bot id".to_owned())),
            status: given(e, "status", &self.status, statuses).unwrap_or_default(),
            side: given(e, "side", &self.side, parse_side),
            source: given(e, "source", &self.source, |s| s.parse::<StrategySource>().map_err(|e| e.to_string())),
            from: given(e, "from", &self.from, instant),
            to: given(e, "to", &self.to, instant),
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if to <= from {
                errors.push(FieldError::new("to", crate::FieldCode::Invalid, "must be after `from`"));
            }
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(OrderError::Invalid(errors))
        }
    }
}

impl OrderService {
    /// The owner's orders matching `query` inside their plan's history window (an earlier
    /// `from` is moved up to the window's start), newest first. Errors: `Invalid` filters.
    pub async fn list(
        &self,
        owner: UserId,
        query: &OrderListQuery,
        page: PageRequest,
    ) -> Result<Windowed<Order>, OrderError> {
        let mut filter = query.filter()?;
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

    fn fields(err: OrderError) -> Vec<String> {
        match err {
            OrderError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn every_filter_parses() {
        let context = ContextId::new();
        let query = OrderListQuery {
            context_id: Some(context.to_string()),
            status: Some("new, partially_filled".into()),
            side: Some("sell".into()),
            source: Some("dca".into()),
            from: Some("2025-01-01T00:00:00Z".into()),
            to: Some("2025-01-02T00:00:00+01:00".into()),
            ..OrderListQuery::default()
        };

        let filter = query.filter().unwrap();

        assert_eq!(filter.context, Some(context));
        assert_eq!(filter.status, [OrderStatus::New, OrderStatus::PartiallyFilled].into_iter().collect());
        assert_eq!((filter.side, filter.source), (Some(OrderSide::Sell), Some(StrategySource::Dca)));
        assert_eq!(filter.to.unwrap() - filter.from.unwrap(), time::Duration::hours(23));
    }

    #[test]
    fn empty_filters_match_everything() {
        let query = OrderListQuery { status: Some(" ".into()), ..OrderListQuery::default() };
        assert_eq!(query.filter().unwrap(), OrderFilter::default());
    }

    #[test]
    fn bad_filters_are_each_named() {
        let query = OrderListQuery {
            context_id: Some("ctx".into()),
            bot_id: Some("bot".into()),
            status: Some("new,open".into()),
            side: Some("long".into()),
            source: Some("grid".into()),
            from: Some("yesterday".into()),
            to: Some("2025-01-01".into()),
        };
        assert_eq!(
            fields(query.filter().unwrap_err()),
            ["context_id", "bot_id", "status", "side", "source", "from", "to"]
        );
    }

    #[test]
    fn the_range_must_not_be_empty() {
        let query = OrderListQuery {
            from: Some("2025-01-02T00:00:00Z".into()),
            to: Some("2025-01-01T00:00:00Z".into()),
            ..OrderListQuery::default()
        };
        assert_eq!(fields(query.filter().unwrap_err()), ["to"]);
    }
}
