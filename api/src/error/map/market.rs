//! Market data failures -> problem codes.

use application::market::MarketDataError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<MarketDataError> for ApiError {
    fn from(err: MarketDataError) -> Self {
        match err {
            MarketDataError::UnknownExchange => ApiError::new(ErrorCode::NotFound, err.to_string()),
            MarketDataError::Invalid(errors) => ApiError::validation(errors),
            MarketDataError::Exchange(err) => err.into(),
        }
    }
}

impl ErrorCodes for MarketDataError {
    /// What reading public market data can answer (an exchange's order or credential refusals
    /// do not apply to it).
    const CODES: &'static [ErrorCode] =
        &[ErrorCode::ValidationFailed, ErrorCode::NotFound, ErrorCode::ExchangeUnavailable];
}
