//! Use case: the advanced metrics of every book of a MAX user, over a window cut to the plan's
//! history window (MAX's is unlimited, so the window asked for applies as it is).

use domain::analytics::AdvancedMetrics;
use domain::shared::ids::UserId;
use domain::subscriptions::HistoryWindow;
use time::{Duration, OffsetDateTime};

use super::{AnalyticsError, AnalyticsService, BookKey, WindowChoice};

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
    /// The plan's history window.
    pub history_window: HistoryWindow,
    /// The window asked for.
    pub window: WindowChoice,
    /// The start applied (`None`: each book's first trade).
    pub from: Option<OffsetDateTime>,
    /// Now.
    pub to: OffsetDateTime,
    /// The annual risk-free rate the ratios subtract.
    pub risk_free_rate: rust_decimal::Decimal,
    /// One per mode, exchange and quote currency.
    pub books: Vec<BookMetrics>,
}

impl AnalyticsService {
    /// The advanced metrics of `owner`'s books. Errors: `Access` (402 `plan_advanced_metrics`)
    /// unless the plan includes them.
    pub async fn metrics(&self, owner: UserId, window: WindowChoice) -> Result<MetricsReport, AnalyticsError> {
        let now = self.ports.clock.now();
        let access = self.ports.subscriptions.access(owner).await.map_err(|e| e.into_unexpected("reading the plan"))?;
        access.require_advanced_metrics()?;
        let history_window = access.history_window(now);
        let from = history_window.clamp(window.days().map(|d| now - Duration::days(d)));
        let books = self
            .books(owner, from)
            .await?
            .into_iter()
            .map(|loaded| BookMetrics {
                metrics: AdvancedMetrics::compute(&loaded.book, from, now, self.config),
                key: loaded.key,
            })
            .collect();
        Ok(MetricsReport { history_window, window, from, to: now, risk_free_rate: self.config.risk_free_rate, books })
    }
}
