//! Telegram linking failures -> problem codes.

use application::notifications::TelegramLinkError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<TelegramLinkError> for ApiError {
    fn from(err: TelegramLinkError) -> Self {
        match err {
            TelegramLinkError::Off | TelegramLinkError::Unavailable => {
                ApiError::new(ErrorCode::TelegramUnavailable, err.to_string())
            }
            TelegramLinkError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for TelegramLinkError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::TelegramUnavailable];
}
