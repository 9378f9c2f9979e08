//! The store reads behind the operators' platform metrics: counts (each served by an index) and
//! the paid subscriptions with the charge that prices them, read a page at a time so no
//! collection is ever loaded whole.

use async_trait::async_trait;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::bots::BotKind;
use crate::identity::UserStatus;
use crate::shared::error::RepoError;
use crate::shared::ids::{SubscriptionId, UserId};
use crate::subscriptions::{BillingPeriod, PaymentProvider, Plan, SubscriptionStatus};

/// An active subscription on a paid plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidSubscription {
    /// Id (the page cursor).
    pub id: SubscriptionId,
    /// Owner (whose charges price it).
    pub user_id: UserId,
    /// Its plan.
    pub plan: Plan,
    /// Who bills it.
    pub provider: Option<PaymentProvider>,
}

/// The newest approved charge of a user: what their current period costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedCharge {
    /// Amount of the period.
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: String,
    /// The period it bought (annual: a year paid at once).
    pub period: BillingPeriod,
    /// Who collected it.
    pub provider: PaymentProvider,
}

/// Who holds a lease, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseHolder {
    /// The holding instance's id.
    pub holder: String,
    /// When it lapses unless renewed.
    pub expires_at: OffsetDateTime,
}

/// Counts and pages over the platform's collections, each through an index.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PlatformCounts: Send + Sync {
    /// Subscriptions on `plan` in `status`.
    async fn subscriptions(&self, plan: Plan, status: SubscriptionStatus) -> Result<u64, RepoError>;
    /// User accounts in `status`.
    async fn users(&self, status: UserStatus) -> Result<u64, RepoError>;
    /// Users created in `[from, to)`.
    async fn signups(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, RepoError>;
    /// `subscription.canceled` events raised in `[from, to)`.
    async fn cancellations(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, RepoError>;
    /// Orders created in `[from, to)`.
    async fn orders(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, RepoError>;
    /// Running bots of `kind`.
    async fn running_bots(&self, kind: BotKind) -> Result<u64, RepoError>;
    /// Up to `limit` active subscriptions on the paid `plan`, by id, after `after`.
    async fn active_paid(
        &self,
        plan: Plan,
        after: Option<SubscriptionId>,
        limit: u64,
    ) -> Result<Vec<PaidSubscription>, RepoError>;
    /// The newest approved charge created at or after `since` of each of `users` that has one,
    /// read in one query (the MRR prices a page of subscriptions with it).
    async fn latest_charges(
        &self,
        users: &[UserId],
        since: OffsetDateTime,
    ) -> Result<Vec<(UserId, PricedCharge)>, RepoError>;
    /// The holder of the lease `name`, if it was ever taken.
    async fn lease(&self, name: &str) -> Result<Option<LeaseHolder>, RepoError>;
}
