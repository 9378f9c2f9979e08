//! [`ChargeRepository`] over a [`DocumentStore`]: collection `charges` (one-off PIX and boleto
//! charges), indexed by owner (the invoice list) and by status (reconciliation's pending scan).

use std::sync::Arc;

use async_trait::async_trait;
use domain::shared::ids::UserId;
use domain::subscriptions::{
    BillingPeriod, Charge, ChargeId, ChargeRepository, ChargeStatus, PaymentInstructions, PaymentMethod,
    PaymentProvider, Plan,
};
use domain::{Page, PageRequest, RepoError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, decimal, millis, millis_opt, value_of, FIRST_VERSION};
use crate::store::{DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`Charge`].
#[derive(Serialize, Deserialize)]
struct ChargeDocument {
    #[serde(rename = "_id")]
    id: ChargeId,
    user_id: UserId,
    provider: Option<PaymentProvider>,
    method: PaymentMethod,
    plan: Plan,
    period: BillingPeriod,
    #[serde(with = "decimal")]
    amount: Decimal,
    currency: String,
    provider_payment_id: Option<String>,
    dedup_key: String,
    status: ChargeStatus,
    #[serde(default)]
    instructions: PaymentInstructions,
    #[serde(with = "millis")]
    expires_at: OffsetDateTime,
    #[serde(with = "millis_opt")]
    paid_at: Option<OffsetDateTime>,
    #[serde(with = "millis_opt")]
    period_start: Option<OffsetDateTime>,
    #[serde(with = "millis_opt")]
    period_end: Option<OffsetDateTime>,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coupon: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    proration: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    upgrade: Option<domain::subscriptions::UpgradeOf>,
    version: u64,
}

impl From<&Charge> for ChargeDocument {
    fn from(c: &Charge) -> Self {
        Self {
            id: c.id,
            user_id: c.user_id,
            provider: c.provider,
            method: c.method,
            plan: c.plan,
            period: c.period,
            amount: c.amount,
            currency: c.currency.clone(),
            provider_payment_id: c.provider_payment_id.clone(),
            dedup_key: c.dedup_key.clone(),
            status: c.status,
            instructions: c.instructions.clone(),
            expires_at: c.expires_at,
            paid_at: c.paid_at,
            period_start: c.period_start,
            period_end: c.period_end,
            created_at: c.created_at,
            updated_at: c.updated_at,
            coupon: c.coupon.clone(),
            proration: c.proration,
            upgrade: c.upgrade.clone(),
            version: c.version,
        }
    }
}

impl From<ChargeDocument> for Charge {
    fn from(d: ChargeDocument) -> Self {
        Charge {
            id: d.id,
            user_id: d.user_id,
            provider: d.provider,
            method: d.method,
            plan: d.plan,
            period: d.period,
            amount: d.amount,
            currency: d.currency,
            provider_payment_id: d.provider_payment_id,
            dedup_key: d.dedup_key,
            status: d.status,
            instructions: d.instructions,
            expires_at: d.expires_at,
            paid_at: d.paid_at,
            period_start: d.period_start,
            period_end: d.period_end,
            created_at: d.created_at,
            updated_at: d.updated_at,
            coupon: d.coupon,
            proration: d.proration,
            upgrade: d.upgrade,
            version: d.version,
        }
    }
}

/// Charges in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreChargeRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreChargeRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "charges";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::plain("charges_user", &["user_id", "created_at"]),
        IndexSpec::plain("charges_status", &["status", "created_at"]),
        IndexSpec::unique("charges_dedup", &["dedup_key"]),
    ];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl ChargeRepository for StoreChargeRepository {
    async fn create(&self, charge: &Charge) -> Result<Charge, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &ChargeDocument::from(charge)).await?;
        Ok(Charge { version: FIRST_VERSION, ..charge.clone() })
    }

    async fn get(&self, id: ChargeId) -> Result<Charge, RepoError> {
        let found: Option<ChargeDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.map(Charge::from).ok_or(RepoError::NotFound)
    }

    async fn update(&self, charge: &Charge) -> Result<Charge, RepoError> {
        let version =
            codec::replace(&*self.store, Self::COLLECTION, &ChargeDocument::from(charge), charge.version).await?;
        Ok(Charge { version, ..charge.clone() })
    }

    async fn find_by_dedup_key(&self, key: &str) -> Result<Charge, RepoError> {
        let query = Query::all().eq("dedup_key", key);
        let found: Option<ChargeDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        found.map(Charge::from).ok_or(RepoError::NotFound)
    }

    async fn list_pending(&self, page: PageRequest) -> Result<Page<Charge>, RepoError> {
        let query = Query::all().eq("status", value_of(&ChargeStatus::Pending)).asc("created_at").asc(ID);
        codec::page::<ChargeDocument, _>(&*self.store, Self::COLLECTION, query, page, Charge::from).await
    }

    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<Charge>, RepoError> {
        let query = Query::all().eq("user_id", user.to_string()).desc("created_at").desc(ID);
        codec::page::<ChargeDocument, _>(&*self.store, Self::COLLECTION, query, page, Charge::from).await
    }
}
