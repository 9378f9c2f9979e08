//! Checkout, cancellation and webhook failures -> problem codes.

use application::subscriptions::SubscriptionError;
use application::{FieldCode, FieldError};
use domain::subscriptions::{CompError, CouponRefusal, PlanChangeError, TrialError};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<SubscriptionError> for ApiError {
    fn from(err: SubscriptionError) -> Self {
        let detail = err.to_string();
        let code = match err {
            SubscriptionError::Invalid(errors) => return ApiError::validation(errors),
            SubscriptionError::Unexpected(err) => return err.into(),
            SubscriptionError::Coupon(refusal) => {
                let code = coupon_code(&refusal);
                let field = FieldError::new("coupon", FieldCode::Invalid, refusal.to_string());
                return ApiError::new(code, detail).with_errors(vec![field]);
            }
            SubscriptionError::PeriodChangeUnavailable { .. } => {
                let field = FieldError::new("period", FieldCode::Invalid, detail.clone());
                return ApiError::new(ErrorCode::PlanChangeUnavailable, detail).with_errors(vec![field]);
            }
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

/// The code of a refused coupon (`errors` then names the field `coupon`).
fn coupon_code(refusal: &CouponRefusal) -> ErrorCode {
    match refusal {
        CouponRefusal::Unknown => ErrorCode::CouponUnknown,
        CouponRefusal::Expired => ErrorCode::CouponExpired,
        CouponRefusal::NotApplicable(_) => ErrorCode::CouponNotApplicable,
        CouponRefusal::Exhausted => ErrorCode::CouponExhausted,
        CouponRefusal::AlreadyRedeemed => ErrorCode::CouponAlreadyRedeemed,
    }
}

impl ErrorCodes for SubscriptionError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::PaymentsNotConfigured,
        ErrorCode::AlreadySubscribed,
        ErrorCode::CouponUnknown,
        ErrorCode::CouponExpired,
        ErrorCode::CouponNotApplicable,
        ErrorCode::CouponExhausted,
        ErrorCode::CouponAlreadyRedeemed,
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
