//! Subscription use cases: plans, the user's subscription and usage, the one place that answers
//! "may this user do X" ([`Access`]), checkout, cancellation, provider webhooks and
//! reconciliation. One use case per file.

mod access;
mod cancel;
mod card_refunds;
mod change_plan;
mod checkout;
mod comp;
mod coupon_redeem;
mod coupons;
mod duplicates;
mod errors;
mod invoices;
mod one_at_a_time;
mod overview;
mod period_change;
mod plans;
mod prepaid;
mod reconcile;
mod refund;
mod refund_notice;
mod refusals;
mod settle;
mod store;
mod trial;
mod upgrade_charge;
mod upgrade_settle;
mod webhook;

use std::sync::Arc;

use async_trait::async_trait;
use domain::shared::ids::UserId;
use domain::subscriptions::{
    ChargeRepository, CouponRepository, EntitlementTable, Entitlements, PaymentEventRepository, PaymentGateway,
    PaymentProvider, SubscriptionRepository,
};
use domain::{Clock, RepoError};

#[cfg(test)]
pub(crate) use access::unreachable_service;
pub use access::{Access, AccessDenied, PlanGate};
pub use change_plan::PlanChangeQuote;
pub use checkout::{CheckoutInput, CheckoutStarted};
pub use comp::{CompGranted, MAX_COMP_REASON};
pub use coupons::{CouponError, NewCouponInput};
pub use errors::SubscriptionError;
pub use overview::{SubscriptionOverview, Usage, UsageCounts};
pub use plans::PlanOffer;
pub use prepaid::PrepaidInput;
pub use reconcile::ReconcileReport;
pub use refund::RefundMade;
pub use settle::ChargeReport;
pub use upgrade_charge::PlanChangeOutcome;
pub use webhook::WebhookOutcome;

use crate::AppError;

/// Counts what a user has against the plan limits.
#[async_trait]
pub trait UsageCounter: Send + Sync {
    /// The user's current usage.
    async fn usage(&self, user: UserId) -> Result<UsageCounts, RepoError>;
}

/// Brings a user back within smaller limits after a downgrade: pauses (never deletes) what is
/// over the limit, newest first, with a status reason. Contexts and bots register one each.
#[async_trait]
pub trait LimitEnforcer: Send + Sync {
    /// Enforces `entitlements` on `user`; `reason` is shown on what gets paused.
    async fn enforce(&self, user: UserId, entitlements: &Entitlements, reason: &str) -> Result<(), AppError>;
}

/// The configured payment providers; an absent one is `NotConfigured`.
#[derive(Clone, Default)]
pub struct PaymentGateways {
    /// Stripe, when its keys are set.
    pub stripe: Option<Arc<dyn PaymentGateway>>,
    /// Mercado Pago, when its token is set.
    pub mercadopago: Option<Arc<dyn PaymentGateway>>,
}

impl std::fmt::Debug for PaymentGateways {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentGateways")
            .field("stripe", &self.stripe.is_some())
            .field("mercadopago", &self.mercadopago.is_some())
            .finish()
    }
}

impl PaymentGateways {
    /// The gateway of `provider`. Errors: `NotConfigured`.
    pub fn get(&self, provider: PaymentProvider) -> Result<&Arc<dyn PaymentGateway>, SubscriptionError> {
        let gateway = match provider {
            PaymentProvider::Stripe => self.stripe.as_ref(),
            PaymentProvider::Mercadopago => self.mercadopago.as_ref(),
        };
        gateway.ok_or(SubscriptionError::NotConfigured { provider: Some(provider) })
    }
}

/// The wire name of a provider.
pub fn provider_name(provider: PaymentProvider) -> &'static str {
    match provider {
        PaymentProvider::Stripe => "stripe",
        PaymentProvider::Mercadopago => "mercadopago",
    }
}

/// The ports subscription use cases need.
#[derive(Clone)]
pub struct SubscriptionPorts {
    /// Subscriptions.
    pub subscriptions: Arc<dyn SubscriptionRepository>,
    /// Received webhook events.
    pub payment_events: Arc<dyn PaymentEventRepository>,
    /// One-off charges (PIX, boleto).
    pub charges: Arc<dyn ChargeRepository>,
    /// Operator-defined coupons and their redemptions.
    pub coupons: Arc<dyn CouponRepository>,
    /// The payment providers.
    pub gateways: PaymentGateways,
    /// Usage against the limits.
    pub usage: Arc<dyn UsageCounter>,
    /// What runs after a downgrade.
    pub enforcers: Vec<Arc<dyn LimitEnforcer>>,
    /// The plan table.
    pub table: EntitlementTable,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Leases: one payment started at a time per user.
    pub leases: Arc<dyn domain::leases::LeaseRepository>,
}

impl std::fmt::Debug for SubscriptionPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionPorts").field("table", &self.table).finish_non_exhaustive()
    }
}

/// Plans, subscriptions and payments.
#[derive(Debug)]
pub struct SubscriptionService {
    ports: SubscriptionPorts,
    events: crate::notify::EventSink,
    trial_days: u32,
}

impl SubscriptionService {
    /// A service over `ports`.
    pub fn new(ports: SubscriptionPorts) -> Self {
        Self { ports, events: Default::default(), trial_days: 0 }
    }

    /// The plan table in force.
    pub fn table(&self) -> &EntitlementTable {
        &self.ports.table
    }
}
