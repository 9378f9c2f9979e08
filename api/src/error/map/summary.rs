//! Dashboard summary failures -> problem codes: only the unexpected ones (a price that cannot be
//! read is part of the answer, not an error).

use application::dashboard::SummaryError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<SummaryError> for ApiError {
    fn from(err: SummaryError) -> Self {
        match err {
            SummaryError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for SummaryError {
    /// Nothing beyond the codes every operation can answer.
    const CODES: &'static [ErrorCode] = &[];
}
