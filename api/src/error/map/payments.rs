//! Checkout, cancellation and webhook failures -> problem codes.

use application::subscriptions::SubscriptionError;
use domain::subscriptions::{CompError, PlanChangeError, TrialError};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<SubscriptionError> for ApiError {
    fn from(err: SubscriptionError) -> Self {
        let detail = err.to_string();
        let code = match err {
            SubscriptionError::Invalid(errors) => return ApiError::validation(errors),
            SubscriptionError::Unexpected(err) => return err.into(),
            SubscriptionError::NotConfigured { .. } => ErrorCode::PaymentsNotConfigured,
            SubscriptionError::AlreadySubscribed { .. } => ErrorCode::AlreadySubscribed,
            SubscriptionError::NothingToCancel => ErrorCode::NothingToCancel,
            SubscriptionError::Trial(TrialError::AlreadyUsed(_)) => ErrorCode::TrialUsed,
            SubscriptionError::Trial(TrialError::NotFree(_)) => ErrorCode::AlreadySubscribed,
            SubscriptionError::TrialUnavailable => ErrorCode::TrialUnavailable,
            SubscriptionError::Comp(CompError::NoComp) => ErrorCode::NoComp,
            SubscriptionError::Comp(_) => ErrorCode::CompRefused,
            SubscriptionError::ChargeNotFound => ErrorCode::NotFound,
            SubscriptionError::NotRefundable(_) => ErrorCode::NotRefundable,
            SubscriptionError::AlreadyRefunded => ErrorCode::AlreadyRefunded,
            SubscriptionError::PlanChange(PlanChangeError::NothingScheduled) => ErrorCode::NothingScheduled,
            SubscriptionError::PlanChange(_) => ErrorCode::PlanChangeRefused,
            SubscriptionError::ChangeUnavailable { .. } => ErrorCode::PlanChangeUnavailable,
            SubscriptionError::Mismatch(_) => ErrorCode::SubscriptionMismatch,
            SubscriptionError::InvalidSignature(_) => ErrorCode::InvalidSignature,
            SubscriptionError::MalformedWebhook(_) => ErrorCode::MalformedWebhook,
            SubscriptionError::ProviderUnavailable => ErrorCode::PaymentProviderUnavailable,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for SubscriptionError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::PaymentsNotConfigured,
        ErrorCode::AlreadySubscribed,
        ErrorCode::NothingToCancel,
        ErrorCode::PlanChangeRefused,
        ErrorCode::NothingScheduled,
        ErrorCode::PlanChangeUnavailable,
        ErrorCode::TrialUsed,
        ErrorCode::TrialUnavailable,
        ErrorCode::CompRefused,
        ErrorCode::NoComp,
        ErrorCode::NotFound,
        ErrorCode::NotRefundable,
        ErrorCode::AlreadyRefunded,
        ErrorCode::SubscriptionMismatch,
        ErrorCode::InvalidSignature,
        ErrorCode::MalformedWebhook,
        ErrorCode::PaymentProviderUnavailable,
    ];
}
