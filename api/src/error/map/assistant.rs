//! Assistant failures -> problem codes.

use application::assistant::AssistantError;
use domain::assistant::{ModelError, ProposalError};
use time::format_description::well_known::Rfc3339;

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<AssistantError> for ApiError {
    fn from(err: AssistantError) -> Self {
        let detail = err.to_string();
        match err {
            AssistantError::Invalid(errors) => ApiError::validation(errors),
            AssistantError::NotFound { .. } => ApiError::new(ErrorCode::NotFound, detail),
            AssistantError::QuotaExhausted { plan, resets_at, retry_after_secs, .. } => {
                let at = resets_at.format(&Rfc3339).unwrap_or_default();
                ApiError::chat_quota(plan, at, retry_after_secs, detail)
            }
            AssistantError::Proposal(ProposalError::AlreadyDecided) => {
                ApiError::new(ErrorCode::ProposalDecided, detail)
            }
            AssistantError::Proposal(ProposalError::Expired) => ApiError::new(ErrorCode::ProposalExpired, detail),
            AssistantError::Model(ref cause) => {
                let cause = anyhow::anyhow!(cause.clone());
                let detail = match err {
                    AssistantError::Model(ModelError::RateLimited) => "the language model is busy; retry shortly",
                    _ => "the assistant's language model did not answer; retry later",
                };
                ApiError::unavailable(ErrorCode::AssistantUnavailable, detail, cause)
            }
            AssistantError::Action(err) => err.into(),
            AssistantError::Unexpected(err) => err.into(),
        }
    }
}

impl ErrorCodes for AssistantError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::NotFound,
        ErrorCode::ChatQuotaExhausted,
        ErrorCode::ProposalDecided,
        ErrorCode::ProposalExpired,
        ErrorCode::AssistantUnavailable,
    ];
}
