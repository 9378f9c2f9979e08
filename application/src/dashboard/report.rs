//! The PDF report use case (MAX): checks the plan, reads the user (the report names them by
//! their e-mail), the summary (its 60 s cache), the advanced metrics and the performance series
//! over the asked window (cut to the plan's history window), builds the document and renders it
//! with the shared renderer on the blocking pool (rendering is CPU-bound).

use std::sync::Arc;

use domain::identity::UserRepository;
use domain::reports::ReportRenderer;
use domain::shared::ids::UserId;

use super::report_document::{report_document, ReportInput};
use super::DashboardService;
use crate::analytics::{AnalyticsError, AnalyticsService, PerformanceRequest, WindowChoice};
use crate::subscriptions::{AccessDenied, SubscriptionService};
use crate::Unexpected;

/// Why the report cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum PdfReportError {
    /// A query parameter is not acceptable (named).
    #[error("invalid query parameter `{parameter}`: {message}")]
    InvalidQuery {
        /// The parameter.
        parameter: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The plan does not include the PDF report (402 `plan_pdf_reports`, with `upgrade_to`).
    #[error(transparent)]
    Access(#[from] AccessDenied),
    /// The store, the renderer or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(PdfReportError);

impl From<AnalyticsError> for PdfReportError {
    fn from(e: AnalyticsError) -> Self {
        match e {
            AnalyticsError::InvalidQuery { parameter, message } => Self::InvalidQuery { parameter, message },
            AnalyticsError::Access(denied) => Self::Access(denied),
            AnalyticsError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// The PDF report.
pub struct PdfReportService {
    analytics: Arc<AnalyticsService>,
    dashboard: Arc<DashboardService>,
    subscriptions: Arc<SubscriptionService>,
    users: Arc<dyn UserRepository>,
    renderer: Arc<dyn ReportRenderer>,
}

impl std::fmt::Debug for PdfReportService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfReportService").finish_non_exhaustive()
    }
}

impl PdfReportService {
    /// The report over the analytics, naming its reader from `users`, rendered by `renderer`
    /// (built once at start-up).
    pub fn new(
        analytics: Arc<AnalyticsService>,
        dashboard: Arc<DashboardService>,
        subscriptions: Arc<SubscriptionService>,
        users: Arc<dyn UserRepository>,
        renderer: Arc<dyn ReportRenderer>,
    ) -> Self {
        Self { analytics, dashboard, subscriptions, users, renderer }
    }

    /// `owner`'s report as a PDF over `window`, naming them by their e-mail address. Errors:
    /// `Access` unless the plan includes the PDF report (checked before anything is read).
    pub async fn report_pdf(&self, owner: UserId, window: WindowChoice) -> Result<Vec<u8>, PdfReportError> {
        let access = self.subscriptions.access(owner).await?;
        access.require_pdf_reports()?;
        let user = self.users.get(owner).await.map_err(|e| anyhow::anyhow!("reading the user: {e}"))?;
        let user = user.email.to_string();
        let summary = self.dashboard.summary(owner).await.map_err(|super::SummaryError::Unexpected(u)| u)?;
        let metrics = self.analytics.metrics(owner, window).await?;
        let performance = self.analytics.performance(owner, PerformanceRequest { window, interval: None }).await?;
        let document = report_document(&ReportInput {
            user: &user,
            plan: access.plan,
            summary: &summary,
            performance: &performance,
            metrics: &metrics,
            generated_at: metrics.window.to,
        });
        let renderer = self.renderer.clone();
        let rendered = tokio::task::spawn_blocking(move || renderer.render_pdf(&document))
            .await
            .map_err(|e| anyhow::anyhow!("the report renderer stopped: {e}"))?;
        Ok(rendered.map_err(|e| anyhow::anyhow!("rendering the report: {e}"))?)
    }
}
