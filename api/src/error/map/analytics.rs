//! Analytics and PDF report failures -> problem codes.

use application::analytics::AnalyticsError;
use application::dashboard::PdfReportError;

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

impl From<PdfReportError> for ApiError {
    fn from(err: PdfReportError) -> Self {
        match err {
            PdfReportError::InvalidQuery { parameter, message } => invalid_query(parameter, &message),
            PdfReportError::Access(denied) => denied.into(),
            PdfReportError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for PdfReportError {
    /// A bad `window`, and the MAX gate of the PDF report.
    const CODES: &'static [ErrorCode] = &[ErrorCode::InvalidQuery, ErrorCode::PlanPdfReports];
}

impl ErrorCodes for AnalyticsError {
    /// A bad `window` or `interval`, and the MAX gate of the metrics.
    const CODES: &'static [ErrorCode] = &[ErrorCode::InvalidQuery, ErrorCode::PlanAdvancedMetrics];
}
