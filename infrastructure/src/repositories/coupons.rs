//! [`CouponRepository`] over a [`DocumentStore`]: collection `coupons` (unique code, listed
//! newest first) and `coupon_redemptions` (one per coupon and user, under a unique index).

use std::sync::Arc;

use async_trait::async_trait;
use domain::shared::ids::UserId;
use domain::subscriptions::{Coupon, CouponDiscount, CouponId, CouponRedemption, CouponRepository, Plan};
use domain::{Page, PageRequest, RepoError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::codec::{self, decimal_opt, millis, millis_opt, FIRST_VERSION};
use crate::store::{malformed, DocumentStore, IndexSpec, Query, ID};

/// The stored form of a [`Coupon`]; the discount flattened, its decimals as canonical strings.
#[derive(Serialize, Deserialize)]
struct CouponDocument {
    #[serde(rename = "_id")]
    id: CouponId,
    code: String,
    /// `percent_off` or `amount_off`.
    discount_kind: String,
    #[serde(with = "decimal_opt")]
    percent_off: Option<Decimal>,
    #[serde(with = "decimal_opt")]
    amount_off: Option<Decimal>,
    currency: Option<String>,
    #[serde(with = "millis_opt")]
    expires_at: Option<OffsetDateTime>,
    max_redemptions: Option<u32>,
    redemptions: u32,
    plan: Option<Plan>,
    active: bool,
    created_by: String,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
    #[serde(with = "millis")]
    updated_at: OffsetDateTime,
    version: u64,
}

impl From<&Coupon> for CouponDocument {
    fn from(c: &Coupon) -> Self {
        let (discount_kind, percent_off, amount_off, currency) = match &c.discount {
            CouponDiscount::PercentOff { percent } => ("percent_off", Some(*percent), None, None),
            CouponDiscount::AmountOff { amount, currency } => {
                ("amount_off", None, Some(*amount), Some(currency.clone()))
            }
        };
        Self {
            id: c.id,
            code: c.code.clone(),
            discount_kind: discount_kind.to_owned(),
            percent_off,
            amount_off,
            currency,
            expires_at: c.expires_at,
            max_redemptions: c.max_redemptions,
            redemptions: c.redemptions,
            plan: c.plan,
            active: c.active,
            created_by: c.created_by.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

impl TryFrom<CouponDocument> for Coupon {
    type Error = RepoError;

    fn try_from(d: CouponDocument) -> Result<Self, RepoError> {
        let discount = match (d.discount_kind.as_str(), d.percent_off, d.amount_off, d.currency) {
            ("percent_off", Some(percent), _, _) => CouponDiscount::PercentOff { percent },
            ("amount_off", _, Some(amount), Some(currency)) => CouponDiscount::AmountOff { amount, currency },
            (kind, ..) => return Err(malformed(format!("coupon {} has an unreadable discount `{kind}`", d.id))),
        };
        Ok(Coupon {
            id: d.id,
            code: d.code,
            discount,
            expires_at: d.expires_at,
            max_redemptions: d.max_redemptions,
            redemptions: d.redemptions,
            plan: d.plan,
            active: d.active,
            created_by: d.created_by,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        })
    }
}

/// The stored form of a [`CouponRedemption`].
#[derive(Serialize, Deserialize)]
struct RedemptionDocument {
    #[serde(rename = "_id")]
    id: String,
    coupon_id: CouponId,
    user_id: UserId,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
}

/// Coupons in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreCouponRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreCouponRepository {
    /// The coupons' collection.
    pub const COLLECTION: &'static str = "coupons";
    /// Its indexes.
    pub const INDEXES: &'static [IndexSpec] =
        &[IndexSpec::unique("coupons_code", &["code"]), IndexSpec::plain("coupons_created", &["created_at"])];
    /// The redemptions' collection.
    pub const REDEMPTIONS: &'static str = "coupon_redemptions";
    /// Its indexes: one redemption per coupon and user.
    pub const REDEMPTION_INDEXES: &'static [IndexSpec] =
        &[IndexSpec::unique("coupon_redemptions_user", &["coupon_id", "user_id"])];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl CouponRepository for StoreCouponRepository {
    async fn create(&self, coupon: &Coupon) -> Result<Coupon, RepoError> {
        codec::insert(&*self.store, Self::COLLECTION, &CouponDocument::from(coupon)).await?;
        Ok(Coupon { version: FIRST_VERSION, ..coupon.clone() })
    }

    async fn get(&self, id: CouponId) -> Result<Coupon, RepoError> {
        let found: Option<CouponDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.ok_or(RepoError::NotFound)?.try_into()
    }

    async fn find_by_code(&self, code: &str) -> Result<Coupon, RepoError> {
        let query = Query::all().eq("code", code);
        let found: Option<CouponDocument> = codec::find_one(&*self.store, Self::COLLECTION, query).await?;
        found.ok_or(RepoError::NotFound)?.try_into()
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Coupon>, RepoError> {
        let query = Query::all().desc("created_at").desc(ID);
        let docs =
            codec::page::<CouponDocument, _>(&*self.store, Self::COLLECTION, query, page, Coupon::try_from).await?;
        let items = docs.items.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, total: docs.total, offset: docs.offset, limit: docs.limit })
    }

    async fn update(&self, coupon: &Coupon) -> Result<Coupon, RepoError> {
        let version =
            codec::replace(&*self.store, Self::COLLECTION, &CouponDocument::from(coupon), coupon.version).await?;
        Ok(Coupon { version, ..coupon.clone() })
    }

    async fn add_redemption(&self, redemption: &CouponRedemption) -> Result<(), RepoError> {
        let doc = RedemptionDocument {
            id: ulid::Ulid::new().to_string(),
            coupon_id: redemption.coupon_id,
            user_id: redemption.user_id,
            created_at: redemption.created_at,
        };
        codec::insert(&*self.store, Self::REDEMPTIONS, &doc).await
    }

    async fn remove_redemption(&self, coupon: CouponId, user: UserId) -> Result<bool, RepoError> {
        let query = Query::all().eq("coupon_id", coupon.to_string()).eq("user_id", user.to_string()).limit(1);
        Ok(codec::delete_matching(&*self.store, Self::REDEMPTIONS, query).await? > 0)
    }
}
