//! Order failures -> problem codes.

use application::orders::OrderError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<OrderError> for ApiError {
    fn from(err: OrderError) -> Self {
        let detail = err.to_string();
        let code = match err {
            OrderError::Invalid(errors) => return ApiError::validation(errors),
            OrderError::Unexpected(err) => return err.into(),
            OrderError::InvalidIdempotencyKey => ErrorCode::InvalidIdempotencyKey,
            OrderError::ContextNotFound | OrderError::NotFound => ErrorCode::NotFound,
            OrderError::ContextPaused { .. } => ErrorCode::ContextPaused,
            OrderError::MarketClosed { .. } => ErrorCode::MarketClosed,
            OrderError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            OrderError::Final { .. } => ErrorCode::OrderFinal,
            OrderError::Pending => ErrorCode::OrderPending,
            OrderError::CancelUnconfirmed => ErrorCode::CancelUnconfirmed,
            OrderError::BotBusy(_) => ErrorCode::BotBusy,
            OrderError::CredentialRequired(_) => ErrorCode::CredentialRequired,
            OrderError::CredentialRejected => ErrorCode::CredentialRejected,
            OrderError::ExchangeUnavailable(_) => ErrorCode::ExchangeUnavailable,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for OrderError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::InvalidIdempotencyKey,
        ErrorCode::NotFound,
        ErrorCode::ContextPaused,
        ErrorCode::MarketClosed,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::OrderFinal,
        ErrorCode::OrderPending,
        ErrorCode::CancelUnconfirmed,
        ErrorCode::BotBusy,
        ErrorCode::CredentialRequired,
        ErrorCode::CredentialRejected,
        ErrorCode::ExchangeUnavailable,
    ];
}
