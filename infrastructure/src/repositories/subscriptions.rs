//! [`SubscriptionRepository`] over a [`DocumentStore`]: collection `subscriptions`, unique index
//! `subscriptions_user` (one subscription per user).

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::Outbox;
use domain::shared::ids::{SubscriptionId, UserId};
use domain::subscriptions::{
    BillingPeriod, ChargeId, PaymentProvider, Plan, ScheduledChange, Subscription, SubscriptionRepository,
    SubscriptionStatus,
};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, millis, millis_opt, value_of, FIRST_VERSION};
use super::outbox::RelayNudge;
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`Subscription`].
#[derive(Serialize, Deserialize)]
struct SubscriptionDocument {
    #[serde(rename = "_id")]
    id: SubscriptionId,
    user_id: UserId,
    plan: Plan,
    status: SubscriptionStatus,
    provider: Option<PaymentProvider>,
    provider_subscription_id: Option<String>,
    #[serde(default)]
    provider_customer_id: Option<String>,
    #[serde(default, with = "millis_opt")]
    provider_observed_at: Option<OffsetDateTime>,
    #[serde(default)]
    status_reason: Option<String>,
    #[serde(with = "millis_opt")]
    current_period_end: Option<OffsetDateTime>,
    cancel_at_period_end: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    paid_charges: Vec<ChargeId>,
    #[serde(default, with = "millis_opt", skip_serializing_if = "Option::is_none")]
    period_end_notified: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scheduled_plan: Option<Plan>,
    #[serde(default, with = "millis_opt", skip_serializing_if = "Option::is_none")]
    scheduled_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scheduled_period: Option<BillingPeriod>,
    #[serde(default, with = "millis_opt", skip_serializing_if = "Option::is_none")]
    trial_started_at: Option<OffsetDateTime>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    #[serde(default, with = "super::outbox::text", skip_serializing_if = "Outbox::is_empty")]
    outbox: Outbox,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outbox_at: Option<i64>,
    version: u64,
}

impl From<&Subscription> for SubscriptionDocument {
    fn from(s: &Subscription) -> Self {
        Self {
            id: s.id,
            user_id: s.user_id,
            plan: s.plan,
            status: s.status,
            provider: s.provider,
            provider_subscription_id: s.provider_subscription_id.clone(),
            provider_customer_id: s.provider_customer_id.clone(),
            provider_observed_at: s.provider_observed_at,
            status_reason: s.status_reason.clone(),
            current_period_end: s.current_period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            paid_charges: s.paid_charges.clone(),
            period_end_notified: s.period_end_notified,
            scheduled_plan: s.scheduled_change.map(|c| c.plan),
            scheduled_at: s.scheduled_change.map(|c| c.at),
            scheduled_period: s.scheduled_change.and_then(|c| c.period),
            trial_started_at: s.trial_started_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
            outbox: s.outbox.clone(),
            outbox_at: super::outbox::waiting_since(&s.outbox),
            version: s.version,
        }
    }
}

impl From<SubscriptionDocument> for Subscription {
    fn from(d: SubscriptionDocument) -> Self {
        Subscription {
            id: d.id,
            user_id: d.user_id,
            plan: d.plan,
            status: d.status,
            provider: d.provider,
            provider_subscription_id: d.provider_subscription_id,
            provider_customer_id: d.provider_customer_id,
            provider_observed_at: d.provider_observed_at,
            status_reason: d.status_reason,
            current_period_end: d.current_period_end,
            cancel_at_period_end: d.cancel_at_period_end,
            paid_charges: d.paid_charges,
            period_end_notified: d.period_end_notified,
            scheduled_change: d.scheduled_plan.zip(d.scheduled_at).map(|(plan, at)| ScheduledChange {
                plan,
                at,
                period: d.scheduled_period,
            }),
            trial_started_at: d.trial_started_at,
            created_at: d.created_at,
            updated_at: d.updated_at,
            outbox: d.outbox,
            version: d.version,
        }
    }
}

/// Subscriptions in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreSubscriptionRepository {
    store: Arc<dyn DocumentStore>,
    nudge: RelayNudge,
}

impl StoreSubscriptionRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "subscriptions";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("subscriptions_user", &["user_id"]),
        IndexSpec::plain("subscriptions_plan", &["plan", "created_at"]),
        IndexSpec::plain("subscriptions_created", &["created_at"]),
        // The backoffice's subscription-status user filter (with or without a plan).
        IndexSpec::plain("subscriptions_status", &["status", "plan"]),
        IndexSpec::plain("subscriptions_provider", &["provider", "provider_subscription_id"]),
        // The relay's query: subscriptions whose outbox holds events.
        IndexSpec::plain("subscriptions_outbox", &["outbox_at"]),
    ];

    /// The repository over `store` (see [`super::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store, nudge: RelayNudge::default() }
    }

    /// The same, waking `nudge` after each write that carries events.
    pub fn with_nudge(self, nudge: RelayNudge) -> Self {
        Self { nudge, ..self }
    }
}

#[async_trait]
impl SubscriptionRepository for StoreSubscriptionRepository {
    async fn create(&self, subscription: &Subscription) -> Result<Subscription, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &SubscriptionDocument::from(subscription)).await?;
        self.nudge.after_write(&subscription.outbox);
        Ok(Subscription { version: FIRST_VERSION, ..subscription.clone() })
    }

    async fn get_for_user(&self, user: UserId) -> Result<Subscription, RepoError> {
        let query = Query::all().eq("user_id", user.to_string());
        let found: Option<SubscriptionDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        found.map(Subscription::from).ok_or(RepoError::NotFound)
    }

    async fn find_by_provider_subscription(
        &self,
        provider: PaymentProvider,
        provider_subscription_id: &str,
    ) -> Result<Subscription, RepoError> {
        let query = Query::all()
            .eq("provider", value_of(&provider))
            .eq("provider_subscription_id", provider_subscription_id.to_owned());
        let found: Option<SubscriptionDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        found.map(Subscription::from).ok_or(RepoError::NotFound)
    }

    async fn list_paid(&self, page: PageRequest) -> Result<Page<Subscription>, RepoError> {
        // "Not FREE" spelled as the paid plans, so the plan index serves it.
        let paid = Plan::ALL.into_iter().filter(|p| *p != Plan::Free).map(|p| value_of(&p));
        let query = Query::all().is_in("plan", paid).asc("created_at").asc(ID);
        codec::page::<SubscriptionDocument, _>(&*self.store, Self::COLLECTION, query, page, Subscription::from).await
    }

    async fn update(&self, subscription: &Subscription) -> Result<Subscription, RepoError> {
        let document = SubscriptionDocument::from(subscription);
        let version = codec::replace(&*self.store, Self::COLLECTION, &document, subscription.version).await?;
        self.nudge.after_write(&subscription.outbox);
        Ok(Subscription { version, ..subscription.clone() })
    }

    async fn list(&self, plan: Option<Plan>, page: PageRequest) -> Result<Page<Subscription>, RepoError> {
        let mut query = Query::all();
        if let Some(plan) = plan {
            query = query.eq("plan", value_of(&plan));
        }
        let query = query.asc("created_at").asc(ID);
        codec::page::<SubscriptionDocument, _>(&*self.store, Self::COLLECTION, query, page, Subscription::from).await
    }
}
