//! In-app notification, preference and live-stream failures -> problem codes.

use application::notifications::{InboxError, PreferencesError, StreamError, TicketError};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<InboxError> for ApiError {
    fn from(err: InboxError) -> Self {
        match err {
            InboxError::NotFound => ApiError::new(ErrorCode::NotFound, err.to_string()),
            InboxError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for InboxError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::NotFound];
}

impl From<PreferencesError> for ApiError {
    fn from(err: PreferencesError) -> Self {
        match err {
            PreferencesError::Unexpected(err) => err.into(),
        }
    }
}

impl From<StreamError> for ApiError {
    fn from(err: StreamError) -> Self {
        match err {
            StreamError::TooMany { .. } => ApiError::new(ErrorCode::TooManyStreams, err.to_string()),
            StreamError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for StreamError {
    const CODES: &'static [ErrorCode] = &[ErrorCode::InvalidStreamTicket, ErrorCode::TooManyStreams];
}

impl From<TicketError> for ApiError {
    fn from(err: TicketError) -> Self {
        match err {
            TicketError::Invalid => ApiError::new(ErrorCode::InvalidStreamTicket, err.to_string()),
            TicketError::Unexpected(err) => err.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_its_status() {
        let not_found = ApiError::from(InboxError::NotFound);
        assert_eq!(not_found.code(), ErrorCode::NotFound);
        assert_eq!(ApiError::from(StreamError::TooMany { limit: 5 }).code().status().as_u16(), 429);
        assert_eq!(ApiError::from(TicketError::Invalid).code().status().as_u16(), 401);
    }
}
