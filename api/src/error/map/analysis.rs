//! Context-analysis failures (reading a context's signals) -> problem codes.

use application::analysis::AnalysisError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<AnalysisError> for ApiError {
    fn from(err: AnalysisError) -> Self {
        match err {
            AnalysisError::ContextNotFound => ApiError::new(ErrorCode::NotFound, err.to_string()),
            AnalysisError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for AnalysisError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::NotFound];
}
