//! Analytics and PDF report failures -> problem codes.

use application::analytics::AnalyticsError;
use application::dashboard::ReportError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::invalid_query;

impl From<AnalyticsError> for ApiError {
    fn from(err: AnalyticsError) -> Self {
        match err {
            AnalyticsError::InvalidQuery { parameter, message } => invalid_query(parameter, &message),
            AnalyticsError::Access(denied) => denied.into(),
            AnalyticsError::Unexpected(err) => err.into(),
        }
    }
}

impl From<ReportError> for ApiError {
    fn from(err: ReportError) -> Self {
        match err {
            ReportError::InvalidQuery { parameter, message } => invalid_query(parameter, &message),
            ReportError::Access(denied) => denied.into(),
            ReportError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for ReportError {
    /// A bad `window`, and the MAX gate of the PDF report.
    const CODES: &'static [ErrorCode] = &[ErrorCode::InvalidQuery, ErrorCode::PlanPdfReports];
}

impl ErrorCodes for AnalyticsError {
    /// A bad `window` or `interval`, and the MAX gate of the metrics.
    const CODES: &'static [ErrorCode] = &[ErrorCode::InvalidQuery, ErrorCode::PlanAdvancedMetrics];
}
