//! The failures of the subscription use cases that reach a payment provider (checkout,
//! cancellation, webhooks), in their own terms. `api` maps each variant to its problem code in
//! one place (`api/src/error/map`).

use domain::subscriptions::{
    CompError, CouponRefusal, PaymentError, PaymentProvider, Plan, PlanChangeError, TransitionError, TrialError,
};

use super::provider_name;
use crate::{FieldError, Unexpected};

/// Why a checkout, a cancellation or a provider's webhook cannot be handled.
#[derive(Debug, thiserror::Error)]
pub enum SubscriptionError {
    /// Fields break the rules, each named.
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The provider is not set up on this server.
    #[error("payments not configured{}", which(provider))]
    NotConfigured {
        /// The provider, when known.
        provider: Option<PaymentProvider>,
    },
    /// The user already pays for a plan.
    #[error("already subscribed to {plan}; cancel it before subscribing to another plan")]
    AlreadySubscribed {
        /// The plan paid for.
        plan: Plan,
    },
    /// The user is on the FREE plan: nothing to cancel.
    #[error("the FREE plan has nothing to cancel")]
    NothingToCancel,
    /// The coupon given at checkout cannot be used.
    #[error("coupon refused: {0}")]
    Coupon(CouponRefusal),
    /// The trial cannot start for this user.
    #[error(transparent)]
    Trial(#[from] TrialError),
    /// This server offers no trial (`BOTFLEET_TRIAL_DAYS=0`).
    #[error("this server offers no free trial")]
    TrialUnavailable,
    /// A comp cannot be granted (the user pays for a plan) or revoked (there is none).
    #[error(transparent)]
    Comp(#[from] CompError),
    /// No such charge of this user.
    #[error("invoice not found")]
    ChargeNotFound,
    /// The charge cannot be refunded (not an approved payment, or the provider refused).
    #[error("{0}")]
    NotRefundable(String),
    /// The charge was refunded already.
    #[error("this payment was refunded already")]
    AlreadyRefunded,
    /// The plan change does not apply to the subscription.
    #[error(transparent)]
    PlanChange(#[from] PlanChangeError),
    /// The provider cannot change the plan at once (Mercado Pago does not prorate).
    #[error("an upgrade at once is not available for {} subscriptions; the plan can be lowered from the next period", provider_name(*provider))]
    ChangeUnavailable {
        /// The provider billing the subscription.
        provider: PaymentProvider,
    },
    /// The provider cannot change the billing period of a subscription (Mercado Pago's
    /// preapproval frequency is fixed once created).
    #[error("{} subscriptions cannot change between monthly and annual; cancel and subscribe again with the other period, or pay a period by PIX or boleto", provider_name(*provider))]
    PeriodChangeUnavailable {
        /// The provider billing the subscription.
        provider: PaymentProvider,
    },
    /// What the provider reports does not fit our subscription.
    #[error(transparent)]
    Mismatch(#[from] TransitionError),
    /// The webhook's signature does not verify.
    #[error("invalid webhook signature: {0}")]
    InvalidSignature(String),
    /// The webhook's body cannot be read.
    #[error("unreadable webhook: {0}")]
    MalformedWebhook(String),
    /// The provider failed or could not be reached (the cause is logged, never shown).
    #[error("the payment provider could not complete the request; try again later")]
    ProviderUnavailable,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(SubscriptionError);

fn which(provider: &Option<PaymentProvider>) -> String {
    match provider {
        Some(provider) => format!(": {} is not set up on this server", provider_name(*provider)),
        None => " for this provider".to_owned(),
    }
}

impl SubscriptionError {
    /// The stable name of this failure recorded on a webhook event that failed (the same
    /// strings as the API's problem codes, so the audit trail reads as the answer did).
    pub fn code(&self) -> &'static str {
        match self {
            SubscriptionError::Invalid(_) => "validation_failed",
            SubscriptionError::NotConfigured { .. } => "payments_not_configured",
            SubscriptionError::AlreadySubscribed { .. } => "already_subscribed",
            SubscriptionError::NothingToCancel => "nothing_to_cancel",
            SubscriptionError::Coupon(refusal) => coupon_code(refusal),
            SubscriptionError::Trial(TrialError::AlreadyUsed(_)) => "trial_used",
            SubscriptionError::Trial(TrialError::NotFree(_)) => "already_subscribed",
            SubscriptionError::TrialUnavailable => "trial_unavailable",
            SubscriptionError::Comp(CompError::NoComp) => "no_comp",
            SubscriptionError::Comp(_) => "comp_refused",
            SubscriptionError::ChargeNotFound => "not_found",
            SubscriptionError::NotRefundable(_) => "not_refundable",
            SubscriptionError::AlreadyRefunded => "already_refunded",
            SubscriptionError::PlanChange(PlanChangeError::NothingScheduled) => "nothing_scheduled",
            SubscriptionError::PlanChange(_) => "plan_change_refused",
            SubscriptionError::ChangeUnavailable { .. } => "plan_change_unavailable",
            SubscriptionError::PeriodChangeUnavailable { .. } => "plan_change_unavailable",
            SubscriptionError::Mismatch(_) => "subscription_mismatch",
            SubscriptionError::InvalidSignature(_) => "invalid_signature",
            SubscriptionError::MalformedWebhook(_) => "malformed_webhook",
            SubscriptionError::ProviderUnavailable => "payment_provider_unavailable",
            SubscriptionError::Unexpected(Unexpected::Store(err)) => match err {
                domain::RepoError::NotFound => "not_found",
                domain::RepoError::Conflict => "version_conflict",
                domain::RepoError::Duplicate { .. } => "duplicate",
                domain::RepoError::Unavailable(_) => "store_unavailable",
            },
            SubscriptionError::Unexpected(Unexpected::Internal(_)) => "internal_error",
        }
    }
}

/// The problem code of a refused coupon.
pub fn coupon_code(refusal: &CouponRefusal) -> &'static str {
    match refusal {
        CouponRefusal::Unknown => "coupon_unknown",
        CouponRefusal::Expired => "coupon_expired",
        CouponRefusal::Exhausted => "coupon_exhausted",
        CouponRefusal::NotApplicable(_) => "coupon_not_applicable",
        CouponRefusal::AlreadyRedeemed => "coupon_already_redeemed",
    }
}

impl From<PaymentError> for SubscriptionError {
    /// Provider failures: a bad signature is the sender's fault; everything else, an answer of the
    /// provider that we cannot read included, makes the provider unavailable, its message logged,
    /// never shown (it can reveal configuration). A webhook's own unreadable body is mapped to
    /// `MalformedWebhook` where it is verified (`handle_webhook`), not here: on a user's checkout
    /// or plan change, the provider's garbled answer is not the user's bad request.
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::NotConfigured => SubscriptionError::NotConfigured { provider: None },
            PaymentError::InvalidSignature(why) => SubscriptionError::InvalidSignature(why),
            other => {
                tracing::warn!(error = ?other, "payment provider call failed");
                SubscriptionError::ProviderUnavailable
            }
        }
    }
}
