//! `GET /api/subscriptions/me`: the subscription, the plan in force and usage against each limit.

use domain::shared::ids::UserId;
use domain::subscriptions::{Entitlements, Limit, Plan, Subscription};

use super::SubscriptionService;
use crate::Unexpected;

/// What a user has, counted against the limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsageCounts {
    /// Trading contexts.
    pub contexts: u64,
    /// Bots, across contexts.
    pub bots: u64,
}

/// One limit and its use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    /// In use.
    pub used: u64,
    /// The plan's limit.
    pub limit: Limit,
}

/// A user's subscription as shown to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionOverview {
    /// The stored subscription.
    pub subscription: Subscription,
    /// The plan whose entitlements apply now (FREE while unpaid, incomplete or paused).
    pub effective_plan: Plan,
    /// What it allows.
    pub entitlements: Entitlements,
    /// Contexts used and allowed.
    pub contexts: Usage,
    /// Bots used and allowed.
    pub bots: Usage,
}

impl SubscriptionService {
    /// The user's subscription and usage. A read: its failures are [`Unexpected`].
    pub async fn overview(&self, user: UserId) -> Result<SubscriptionOverview, Unexpected> {
        let access = self.access(user).await?;
        let used = self.ports.usage.usage(user).await?;
        let e = access.entitlements;
        Ok(SubscriptionOverview {
            contexts: Usage { used: used.contexts, limit: e.contexts },
            bots: Usage { used: used.bots, limit: e.bots },
            effective_plan: access.plan,
            subscription: access.subscription,
            entitlements: e,
        })
    }
}
