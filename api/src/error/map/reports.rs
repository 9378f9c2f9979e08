//! Report failures -> problem codes.

use application::reports::ReportError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<ReportError> for ApiError {
    fn from(err: ReportError) -> Self {
        match err {
            ReportError::InvalidQuery { field, message } => crate::routes::common::invalid_query(field, &message),
            ReportError::BotNotFound => ApiError::new(ErrorCode::NotFound, err.to_string()),
            ReportError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for ReportError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::InvalidQuery, ErrorCode::NotFound];
}
