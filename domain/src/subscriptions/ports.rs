//! Ports of the subscriptions aggregate.

use async_trait::async_trait;

use super::{PaymentProvider, Plan, Subscription};
use crate::shared::error::RepoError;
use crate::shared::ids::UserId;
use crate::shared::page::{Page, PageRequest};

/// Stores subscriptions. Unique index `subscriptions_user` on the owner.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait SubscriptionRepository: Send + Sync {
    /// Inserts. Errors: `Duplicate { index: "subscriptions_user" }`.
    async fn create(&self, subscription: &Subscription) -> Result<Subscription, RepoError>;
    /// The user's subscription. Errors: `NotFound`.
    async fn get_for_user(&self, user: UserId) -> Result<Subscription, RepoError>;
    /// The subscription billed by that provider subscription. Errors: `NotFound`.
    async fn find_by_provider_subscription(
        &self,
        provider: PaymentProvider,
        provider_subscription_id: &str,
    ) -> Result<Subscription, RepoError>;
    /// Paid subscriptions that can still change on their own (every status but FREE), oldest
    /// first: what reconciliation re-reads from the providers.
    async fn list_paid(&self, page: PageRequest) -> Result<Page<Subscription>, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, subscription: &Subscription) -> Result<Subscription, RepoError>;
    /// Subscriptions on `plan` (all when `None`), oldest first.
    async fn list(&self, plan: Option<Plan>, page: PageRequest) -> Result<Page<Subscription>, RepoError>;
}
