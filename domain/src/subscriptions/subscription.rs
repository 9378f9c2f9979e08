//! The subscription aggregate: one per user.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Plan;
use crate::shared::ids::{SubscriptionId, UserId};

/// Who bills the subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentProvider {
    /// Stripe (international cards).
    Stripe,
    /// Mercado Pago (PIX, boleto, cards).
    Mercadopago,
}

/// Billing state, as the providers name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    /// Paid and current.
    Active,
    /// In a trial period.
    Trialing,
    /// A payment failed; the provider is retrying.
    PastDue,
    /// Retries exhausted.
    Unpaid,
    /// Ended.
    Canceled,
    /// First payment not completed.
    Incomplete,
    /// Billing paused by the payer or the provider (no access to paid features).
    Paused,
}

/// A user's subscription. Every user has exactly one; new users start on an active FREE one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// Id.
    pub id: SubscriptionId,
    /// Owner; unique.
    pub user_id: UserId,
    /// Current plan.
    pub plan: Plan,
    /// Billing state.
    pub status: SubscriptionStatus,
    /// Provider, for paid plans.
    pub provider: Option<PaymentProvider>,
    /// The provider's subscription id (Stripe `sub_…`, Mercado Pago preapproval id).
    pub provider_subscription_id: Option<String>,
    /// End of the paid period.
    pub current_period_end: Option<OffsetDateTime>,
    /// Whether the plan ends at `current_period_end`.
    pub cancel_at_period_end: bool,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl Subscription {
    /// The FREE subscription every new user gets.
    pub fn free(user_id: UserId, at: OffsetDateTime) -> Self {
        Self {
            id: SubscriptionId::new(),
            user_id,
            plan: Plan::Free,
            status: SubscriptionStatus::Active,
            provider: None,
            provider_subscription_id: None,
            current_period_end: None,
            cancel_at_period_end: false,
            created_at: at,
            updated_at: at,
            version: 0,
        }
    }

    /// Whether the subscription currently grants its plan.
    pub fn is_active(&self) -> bool {
        matches!(self.status, SubscriptionStatus::Active | SubscriptionStatus::Trialing)
    }
}
