//! Use case: the advanced metrics of every book of a MAX user, over a window cut to the plan's
//! history window (MAX's is unlimited, so the window asked for applies as it is).

use super::{AnalyticsError, AnalyticsService, AppliedWindow, BookKey, WindowChoice};
use domain::analytics::AdvancedMetrics;
use domain::shared::ids::UserId;

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

impl AnalyticsService {
    /// The advanced metrics of `owner`'s books. Errors: `Access` (402 `plan_advanced_metrics`)
    /// unless the plan includes them.
    pub async fn metrics(&self, owner: UserId, window: WindowChoice) -> Result<MetricsReport, AnalyticsError> {
        let (access, window) = self.applied(owner, window).await?;
        access.require_advanced_metrics()?;
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
