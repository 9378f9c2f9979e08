//! Use case: the performance series of every book of a user over a window cut to the plan's
//! history window, with the market comparison when the plan includes it.

use std::sync::Arc;

use domain::analytics::{EquityPoint, Interval, SeriesSpec, MAX_HOURLY_DAYS};
use domain::shared::ids::UserId;
use domain::subscriptions::{EntitlementTable, Plan};
use futures::future::join_all;
use rust_decimal::Decimal;

use super::{AnalyticsError, AnalyticsService, AppliedWindow, Benchmark, BookKey, ComparisonUnavailable, WindowChoice};
use crate::subscriptions::Access;
use crate::user_cache::UserCache;

/// What series to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerformanceRequest {
    /// The window asked for (default `30d`).
    pub window: WindowChoice,
    /// The spacing asked for (default: hourly up to 7 days, daily beyond).
    pub interval: Option<Interval>,
}

/// The series of one book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookSeries {
    /// Which book.
    pub key: BookKey,
    /// How many bots it adds up.
    pub bots: usize,
    /// Capital given to its bots.
    pub capital: Decimal,
    /// Realized profit to date (all time), net of fees.
    pub realized_pnl: Decimal,
    /// Unrealized P&L now.
    pub unrealized_pnl: Decimal,
    /// The points, oldest first.
    pub points: Vec<EquityPoint>,
    /// BTC buy-and-hold over the same points, or why there is none.
    pub comparison: Result<Benchmark, ComparisonUnavailable>,
}

/// Whether the plan includes the market comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Included: each book carries its own.
    Included,
    /// Not in the plan.
    NotInPlan(ComparisonUnavailable),
}

/// The performance of every book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Performance {
    /// The window applied.
    pub window: AppliedWindow,
    /// The spacing applied.
    pub interval: Interval,
    /// Whether the plan includes the market comparison.
    pub comparison: Comparison,
    /// One per mode, exchange and quote currency.
    pub books: Vec<BookSeries>,
}

/// How long a performance answer is served from the cache: the catalogue's 60 s.
pub const PERFORMANCE_TTL: time::Duration = time::Duration::seconds(60);

/// What a cached performance answer depends on besides the user: the request and the plan
/// (whose history window and market comparison shape it).
pub type PerformanceKey = (WindowChoice, Option<Interval>, Plan);

/// The per-user cache of performance answers (60 s; dropped when the engine stores a change to
/// the user's books or a new mark of one of their bots: the last point marks the holdings).
pub type PerformanceCache = UserCache<PerformanceKey, Performance>;

impl AnalyticsService {
    /// The performance of `owner`'s books, from the cache when computed less than
    /// [`PERFORMANCE_TTL`] ago with no change to the books since (`window.to` says when). Errors:
    /// `InvalidQuery` naming `interval` when hourly points are asked over more than 31 days.
    pub async fn performance(
        &self,
        owner: UserId,
        request: PerformanceRequest,
    ) -> Result<Arc<Performance>, AnalyticsError> {
        let (access, window) = self.applied(owner, request.window).await?;
        let key = (request.window, request.interval, access.plan);
        self.ports.performance.get_or_load(owner, key, || self.compute(owner, request, &access, window)).await
    }

    /// The performance of `owner`'s books over `window`, read now.
    async fn compute(
        &self,
        owner: UserId,
        request: PerformanceRequest,
        access: &Access,
        window: AppliedWindow,
    ) -> Result<Performance, AnalyticsError> {
        let (from, now) = (window.from, window.to);
        let span_days = from.map(|f| (now - f).whole_days());
        let interval = request.interval.unwrap_or_else(|| Interval::default_for(span_days));
        if interval == Interval::Hour && span_days.is_none_or(|d| d > MAX_HOURLY_DAYS) {
            let message = format!("hourly points are served for windows up to {MAX_HOURLY_DAYS} days; use day");
            return Err(AnalyticsError::InvalidQuery { parameter: "interval", message });
        }
        let comparison = if access.entitlements.market_comparison {
            Comparison::Included
        } else {
            let upgrade_to = EntitlementTable::default()
                .cheapest_plan_where(|e| e.market_comparison)
                .filter(|plan| *plan > access.plan);
            Comparison::NotInPlan(ComparisonUnavailable::NotInPlan { upgrade_to })
        };
        // The books' market comparisons are read at once (each may wait for an exchange).
        let entitled = &comparison;
        let books = join_all(self.books(owner, from).await?.into_iter().map(|loaded| async move {
            let points = loaded.book.series(&SeriesSpec { from, now, interval });
            let comparison = match entitled {
                Comparison::Included => self.benchmark(&loaded.key, interval, &points, now).await,
                Comparison::NotInPlan(why) => Err(why.clone()),
            };
            BookSeries {
                key: loaded.key,
                bots: loaded.bots,
                capital: loaded.book.capital,
                realized_pnl: loaded.book.realized,
                unrealized_pnl: loaded.book.unrealized,
                points,
                comparison,
            }
        }))
        .await;
        Ok(Performance { window, interval, comparison, books })
    }
}
