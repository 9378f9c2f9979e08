//! Use case: the advanced metrics of every book of a MAX user, over a window cut to the plan's
//! history window (MAX's is unlimited, so the window asked for applies as it is).

use std::sync::Arc;

use domain::analytics::AdvancedMetrics;
use domain::shared::ids::UserId;
use domain::subscriptions::Plan;

use super::{AnalyticsError, AnalyticsService, AppliedWindow, BookKey, WindowChoice};
use crate::user_cache::UserCache;

/// The metrics of one book.
#[derive(Clone, Debug, PartialEq)]
pub struct BookMetrics {
    /// Which book.
    pub key: BookKey,
    /// The figures.
    pub metrics: AdvancedMetrics,
}

/// The advanced metrics of every book.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsReport {
    /// The window applied.
    pub window: AppliedWindow,
    /// The annual risk-free rate the ratios subtract.
    pub risk_free_rate: rust_decimal::Decimal,
    /// One per mode, exchange and quote currency.
    pub books: Vec<BookMetrics>,
}

/// The per-user cache of metrics reports, per window and plan, for
/// [`PERFORMANCE_TTL`](super::PERFORMANCE_TTL) (dropped as the series' is: the equity marks the
/// holdings).
pub type MetricsCache = UserCache<(WindowChoice, Plan), MetricsReport>;

impl AnalyticsService {
    /// The advanced metrics of `owner`'s books, from the cache as the series are (`window.to`
    /// says when they were computed). Errors: `Access` (402 `plan_advanced_metrics`) unless the
    /// plan includes them.
    pub async fn metrics(&self, owner: UserId, choice: WindowChoice) -> Result<Arc<MetricsReport>, AnalyticsError> {
        let (access, window) = self.applied(owner, choice).await?;
        access.require_advanced_metrics()?;
        self.ports.metrics.get_or_load(owner, (choice, access.plan), || self.compute_metrics(owner, window)).await
    }

    /// The advanced metrics of `owner`'s books over `window`, read now.
    async fn compute_metrics(&self, owner: UserId, window: AppliedWindow) -> Result<MetricsReport, AnalyticsError> {
        let books = self
            .books(owner, window.from)
            .await?
            .into_iter()
            .map(|loaded| BookMetrics {
                metrics: AdvancedMetrics::compute(&loaded.book, window.from, window.to, self.config),
                key: loaded.key,
            })
            .collect();
        Ok(MetricsReport { window, risk_free_rate: self.config.risk_free_rate, books })
    }
}
