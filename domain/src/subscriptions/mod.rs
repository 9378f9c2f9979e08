//! Subscriptions: the plan a user is on and its billing state.

mod plan;
mod ports;
mod subscription;

pub use plan::{Plan, UnknownPlan};
pub use ports::SubscriptionRepository;
pub use subscription::{PaymentProvider, Subscription, SubscriptionStatus};
