//! [`PlatformCounts`] over a [`DocumentStore`]: the operators' platform metrics, read as counts
//! and pages through each collection's indexes (`subscriptions_status`, `users_status`,
//! `users_created`, `events_type_at`, `orders_created`, `bots_status_kind`, `charges_user`), so
//! no collection is read whole and the SQLite plan check covers every query.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use domain::backoffice::{LeaseHolder, PaidSubscription, PlatformCounts, PricedCharge};
use domain::bots::{BotKind, BotStatus};
use domain::identity::UserStatus;
use domain::notifications::EventType;
use domain::shared::ids::{SubscriptionId, UserId};
use domain::subscriptions::{BillingPeriod, ChargeStatus, PaymentProvider, Plan, SubscriptionStatus};
use domain::RepoError;
use rust_decimal::Decimal;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::notifications::StoreEventRepository;
use crate::repositories::codec::{self, decimal, millis, to_millis, value_of};
use crate::repositories::{
    StoreBotRepository, StoreChargeRepository, StoreLeaseRepository, StoreOrderRepository, StoreSubscriptionRepository,
    StoreUserRepository,
};
use crate::store::{DocumentStore, Query, ID};

/// The fields of a subscription the MRR reads.
#[derive(Deserialize)]
struct SubscriptionFields {
    #[serde(rename = "_id")]
    id: SubscriptionId,
    user_id: UserId,
    plan: Plan,
    provider: Option<PaymentProvider>,
}

/// The fields of a charge the MRR reads.
#[derive(Deserialize)]
struct ChargeFields {
    #[serde(rename = "_id")]
    id: String,
    user_id: UserId,
    created_at: i64,
    #[serde(with = "decimal")]
    amount: Decimal,
    currency: String,
    period: BillingPeriod,
    provider: PaymentProvider,
    /// Present on the one-off difference of a Mercado Pago upgrade: not what a period costs.
    #[serde(default)]
    upgrade: Option<serde::de::IgnoredAny>,
    /// A Stripe proration invoice (a plan change mid-period): not what a period costs either.
    #[serde(default)]
    proration: bool,
}

impl ChargeFields {
    /// Whether the charge is what one period of its plan costs (not a difference or proration).
    fn prices_a_period(&self) -> bool {
        self.upgrade.is_none() && !self.proration
    }
}

/// The fields of a lease.
#[derive(Deserialize)]
struct LeaseFields {
    holder: String,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
}

/// Platform counts in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StorePlatformCounts {
    store: Arc<dyn DocumentStore>,
}

impl StorePlatformCounts {
    /// The counts over `store` (the indexes are the collections' own).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }

    /// Documents of `coll` whose `field` (milliseconds) is in `[from, to)`.
    async fn in_range(
        &self,
        coll: &str,
        query: Query,
        field: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<u64, RepoError> {
        let query = query.gte(field, to_millis(from)).lt(field, to_millis(to));
        self.store.count(coll, &query).await
    }
}

#[async_trait]
impl PlatformCounts for StorePlatformCounts {
    async fn subscriptions(&self, plan: Plan, status: SubscriptionStatus) -> Result<u64, RepoError> {
        let query = Query::all().eq("status", value_of(&status)).eq("plan", value_of(&plan));
        self.store.count(StoreSubscriptionRepository::COLLECTION, &query).await
    }

    async fn users(&self, status: UserStatus) -> Result<u64, RepoError> {
        let query = Query::all().eq("status", value_of(&status));
        self.store.count(StoreUserRepository::COLLECTION, &query).await
    }

    async fn signups(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, RepoError> {
        self.in_range(StoreUserRepository::COLLECTION, Query::all(), "created_at", from, to).await
    }

    async fn cancellations(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, RepoError> {
        let query = Query::all().eq("type", value_of(&EventType::SubscriptionCanceled));
        self.in_range(StoreEventRepository::COLLECTION, query, "at", from, to).await
    }

    async fn orders(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, RepoError> {
        self.in_range(StoreOrderRepository::COLLECTION, Query::all(), "created_at", from, to).await
    }

    async fn running_bots(&self, kind: BotKind) -> Result<u64, RepoError> {
        let query = Query::all().eq("status", value_of(&BotStatus::Running)).eq("kind", value_of(&kind));
        self.store.count(StoreBotRepository::COLLECTION, &query).await
    }

    async fn active_paid(
        &self,
        plan: Plan,
        after: Option<SubscriptionId>,
        limit: u64,
    ) -> Result<Vec<PaidSubscription>, RepoError> {
        let mut query = Query::all().eq("status", value_of(&SubscriptionStatus::Active)).eq("plan", value_of(&plan));
        if let Some(after) = after {
            query = query.gt(ID, after.to_string());
        }
        let query = query.asc(ID).limit(limit);
        let found: Vec<SubscriptionFields> =
            codec::find_all(&*self.store, StoreSubscriptionRepository::COLLECTION, &query).await?;
        Ok(found
            .into_iter()
            .map(|s| PaidSubscription { id: s.id, user_id: s.user_id, plan: s.plan, provider: s.provider })
            .collect())
    }

    async fn latest_charges(
        &self,
        users: &[UserId],
        since: OffsetDateTime,
    ) -> Result<Vec<(UserId, PricedCharge)>, RepoError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        // `charges_user` (user id, creation time) serves the ids and the window; the newest of
        // each user is kept here (a page of users holds at most a year of their charges).
        let query = Query::all()
            .is_in("user_id", users.iter().map(UserId::to_string))
            .gte("created_at", to_millis(since))
            .eq("status", value_of(&ChargeStatus::Approved));
        let found: Vec<ChargeFields> = codec::find_all(&*self.store, StoreChargeRepository::COLLECTION, &query).await?;
        let mut newest: BTreeMap<UserId, ChargeFields> = BTreeMap::new();
        for charge in found.into_iter().filter(ChargeFields::prices_a_period) {
            match newest.get(&charge.user_id) {
                Some(kept) if (kept.created_at, &kept.id) >= (charge.created_at, &charge.id) => {}
                _ => {
                    newest.insert(charge.user_id, charge);
                }
            }
        }
        Ok(newest
            .into_values()
            .map(|c| {
                let priced =
                    PricedCharge { amount: c.amount, currency: c.currency, period: c.period, provider: c.provider };
                (c.user_id, priced)
            })
            .collect())
    }

    async fn lease(&self, name: &str) -> Result<Option<LeaseHolder>, RepoError> {
        let found: Option<LeaseFields> = codec::get(&*self.store, StoreLeaseRepository::COLLECTION, name).await?;
        Ok(found.map(|l| LeaseHolder { holder: l.holder, expires_at: l.expires_at }))
    }
}
