//! The subscription aggregate: one per user.

use crate::notifications::Outbox;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ChargeId, Plan, ScheduledChange};
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
    /// The provider's customer id (`cus_…`), kept across downgrades so a new checkout reuses it.
    pub provider_customer_id: Option<String>,
    /// The provider's time of the newest state applied: older provider information is ignored.
    pub provider_observed_at: Option<OffsetDateTime>,
    /// Why the subscription is in its state (e.g. why it was downgraded), for the user.
    pub status_reason: Option<String>,
    /// End of the paid period.
    pub current_period_end: Option<OffsetDateTime>,
    /// Whether the plan ends at `current_period_end` (always so for a period paid once).
    pub cancel_at_period_end: bool,
    /// The newest one-off charges (PIX, boleto) applied, so none is applied twice.
    pub paid_charges: Vec<ChargeId>,
    /// The period end whose "ends soon" reminder was raised.
    pub period_end_notified: Option<OffsetDateTime>,
    /// A downgrade waiting for the end of the paid period (undoable until then).
    pub scheduled_change: Option<ScheduledChange>,
    /// When the user's free trial started (one per user, ever).
    pub trial_started_at: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Events its changes raised, not relayed to its owner's event log yet (stored with it).
    pub outbox: Outbox,
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
            provider_customer_id: None,
            provider_observed_at: None,
            status_reason: None,
            current_period_end: None,
            cancel_at_period_end: false,
            paid_charges: Vec::new(),
            period_end_notified: None,
            scheduled_change: None,
            trial_started_at: None,
            created_at: at,
            updated_at: at,
            outbox: Default::default(),
            version: 0,
        }
    }

    /// Whether the subscription is in good standing (active or trialing): required to open new
    /// trading contexts.
    pub fn is_active(&self) -> bool {
        matches!(self.status, SubscriptionStatus::Active | SubscriptionStatus::Trialing)
    }

    /// Whether the paid plan's features are granted: in good standing, or past due while the
    /// provider retries the payment (a grace period). Unpaid, incomplete, paused and canceled
    /// subscriptions fall back to FREE.
    pub fn grants_plan(&self) -> bool {
        self.is_active() || self.status == SubscriptionStatus::PastDue
    }

    /// Whether the plan was bought one period at a time (PIX, boleto): paid, with a provider but
    /// no provider subscription. It ends at `current_period_end` unless another period is paid.
    pub fn is_prepaid(&self) -> bool {
        self.plan != Plan::Free && self.provider.is_some() && self.provider_subscription_id.is_none()
    }

    /// The plan whose entitlements apply now.
    pub fn effective_plan(&self) -> Plan {
        if self.grants_plan() {
            self.plan
        } else {
            Plan::Free
        }
    }
}
