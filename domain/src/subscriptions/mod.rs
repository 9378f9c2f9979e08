//! Subscriptions: the plan a user is on and its billing state.

mod allowance;
mod charges;
mod comp;
mod coupons;
mod entitlements;
mod events;
mod history;
mod invoices;
mod lifecycle;
mod notify;
mod one_off;
mod payments;
mod period_change;
mod plan;
mod plan_change;
mod ports;
mod prepaid;
mod refunds;
mod subscription;
mod trial;
mod upgrade_charge;

pub use allowance::BotRefusal;
pub use charges::{
    parse_charge_reference, BillingPeriod, Charge, ChargeId, ChargeRepository, ChargeStatus, NewCharge,
    PaymentInstructions, PaymentMethod,
};
pub use comp::{CompError, MAX_COMP_DAYS};
pub use coupons::{
    Coupon, CouponDiscount, CouponId, CouponRedemption, CouponRefusal, CouponRepository, MIN_DISCOUNTED_PRICE,
};
pub use entitlements::{EntitlementTable, Entitlements, Limit};
pub use events::{EventOutcome, PaymentEventRecord, PaymentEventRepository};
pub use history::HistoryWindow;
pub use invoices::{EntryKind, PaidInvoice};
pub use lifecycle::{Activation, Transition, TransitionError};
pub use notify::refund_notice;
pub use one_off::{Address, CreatedPayment, InvalidTaxId, OneOffPaymentRequest, Payer, TaxId};
pub use payments::{
    external_reference, parse_external_reference, CheckoutRequest, CheckoutSession, PaymentError, PaymentGateway,
    ProviderPayment, ProviderPaymentStatus, ProviderSubscription, WebhookEvent, WebhookRequest, WebhookSubject,
};
pub use plan::{Plan, UnknownPlan};
pub use plan_change::{
    PlanChangeError, PlanChangeKind, PlanChangeRequest, PlanChangeTiming, ProrationPreview, ScheduledChange,
};
pub use ports::SubscriptionRepository;
pub use prepaid::PaidPeriod;
pub use refunds::{CardRefund, ProviderRefund, RefundRequest};
pub use subscription::{PaymentProvider, Subscription, SubscriptionStatus};
pub use trial::{TrialError, TRIAL_PLAN};
pub use upgrade_charge::{chargeable, upgrade_difference, UpgradeOf, MIN_UPGRADE_CHARGE};
#[cfg(feature = "mocks")]
pub use {
    charges::MockChargeRepository, coupons::MockCouponRepository, events::MockPaymentEventRepository,
    ports::MockSubscriptionRepository,
};
