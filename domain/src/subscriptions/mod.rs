//! Subscriptions: the plan a user is on and its billing state.

mod allowance;
mod entitlements;
mod events;
mod history;
mod lifecycle;
mod notify;
mod payments;
mod plan;
mod ports;
mod subscription;

pub use allowance::BotRefusal;
pub use entitlements::{EntitlementTable, Entitlements, Limit};
pub use events::{EventOutcome, PaymentEventRecord, PaymentEventRepository};
pub use history::HistoryWindow;
pub use lifecycle::{Activation, Transition, TransitionError};
pub use payments::{
    external_reference, parse_external_reference, CheckoutRequest, CheckoutSession, PaymentError, PaymentGateway,
    ProviderPayment, ProviderPaymentStatus, ProviderSubscription, WebhookEvent, WebhookRequest, WebhookSubject,
};
pub use plan::{Plan, UnknownPlan};
pub use ports::SubscriptionRepository;
pub use subscription::{PaymentProvider, Subscription, SubscriptionStatus};
#[cfg(feature = "mocks")]
pub use {events::MockPaymentEventRepository, ports::MockSubscriptionRepository};
