//! Outbound-webhook failures -> problem codes.

use application::webhooks::WebhookError;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<WebhookError> for ApiError {
    fn from(err: WebhookError) -> Self {
        let detail = err.to_string();
        let code = match err {
            WebhookError::Invalid(errors) => return ApiError::validation(errors),
            WebhookError::Unexpected(err) => return err.into(),
            WebhookError::NotFound => ErrorCode::NotFound,
            WebhookError::LimitReached { .. } => ErrorCode::WebhookEndpointLimit,
            WebhookError::EndpointDisabled => ErrorCode::WebhookEndpointDisabled,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for WebhookError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::NotFound,
        ErrorCode::WebhookEndpointLimit,
        ErrorCode::WebhookEndpointDisabled,
    ];
}
