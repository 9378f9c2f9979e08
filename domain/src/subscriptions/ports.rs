//! Ports of the subscriptions aggregate.

use async_trait::async_trait;

use super::{Plan, Subscription};
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
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, subscription: &Subscription) -> Result<Subscription, RepoError>;
    /// Subscriptions on `plan` (all when `None`), oldest first.
    async fn list(&self, plan: Option<Plan>, page: PageRequest) -> Result<Page<Subscription>, RepoError>;
}
