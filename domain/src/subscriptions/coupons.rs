//! Operator-defined coupons, applied to what Mercado Pago charges (PIX, boleto, the card
//! preapproval's amount). A coupon takes a percentage or an amount in BRL off, may expire, may be
//! limited to a number of redemptions and to one plan, and is redeemed at most once per user.
//! Stripe uses its own promotion codes instead (see `docs/payments.md`).

use async_trait::async_trait;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Plan;
use crate::shared::error::RepoError;
use crate::shared::ids::UserId;
use crate::shared::page::{Page, PageRequest};

crate::ulid_id!(
    /// Identifies a coupon.
    CouponId
);

/// The least a discounted charge may come to (Mercado Pago refuses tiny amounts; a coupon is
/// never a way to get a plan for free).
pub const MIN_DISCOUNTED_PRICE: Decimal = Decimal::ONE;

/// What a coupon takes off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CouponDiscount {
    /// A percentage of the price (more than 0, less than 100).
    PercentOff {
        /// The percentage, such as `20` or `12.5`.
        percent: Decimal,
    },
    /// A fixed amount.
    AmountOff {
        /// The amount, such as `5.00`.
        amount: Decimal,
        /// ISO 4217 currency; coupons apply to Mercado Pago's BRL prices.
        currency: String,
    },
}

/// Why a coupon cannot be used for this checkout.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CouponRefusal {
    /// No coupon has this code.
    #[error("no coupon has this code")]
    Unknown,
    /// The coupon expired, or an operator disabled it.
    #[error("the coupon has expired or was withdrawn")]
    Expired,
    /// Every redemption the coupon allows was used.
    #[error("the coupon has been used as many times as it allows")]
    Exhausted,
    /// The coupon is for another plan, or takes off as much as the price.
    #[error("the coupon does not apply to this purchase{}", .0.map(|p| format!(" (it is for {p})")).unwrap_or_default())]
    NotApplicable(Option<Plan>),
    /// This user already redeemed it.
    #[error("this coupon was already used on this account")]
    AlreadyRedeemed,
}

/// A coupon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coupon {
    /// Id.
    pub id: CouponId,
    /// The code users type, upper case (`BEMVINDO20`).
    pub code: String,
    /// What it takes off.
    pub discount: CouponDiscount,
    /// Not usable from this moment on, when set.
    pub expires_at: Option<OffsetDateTime>,
    /// How many redemptions it allows in all, when limited.
    pub max_redemptions: Option<u32>,
    /// Redemptions so far (a failed checkout gives its redemption back).
    pub redemptions: u32,
    /// The one plan it applies to, when restricted.
    pub plan: Option<Plan>,
    /// False once an operator disabled it.
    pub active: bool,
    /// Who created it (the operator's id).
    pub created_by: String,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl Coupon {
    /// The code as stored: trimmed, upper case; `None` unless 3 to 32 of `A-Z`, `0-9`, `-`, `_`.
    pub fn normalize_code(raw: &str) -> Option<String> {
        let code = raw.trim().to_ascii_uppercase();
        let valid = (3..=32).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        valid.then_some(code)
    }

    /// Whether it may be used for `plan` at `now`, leaving the redemption count aside.
    pub fn check(&self, plan: Plan, now: OffsetDateTime) -> Result<(), CouponRefusal> {
        if !self.active || self.expires_at.is_some_and(|end| now >= end) {
            return Err(CouponRefusal::Expired);
        }
        if self.plan.is_some_and(|only| only != plan) {
            return Err(CouponRefusal::NotApplicable(self.plan));
        }
        if self.max_redemptions.is_some_and(|max| self.redemptions >= max) {
            return Err(CouponRefusal::Exhausted);
        }
        Ok(())
    }

    /// `price` (BRL) with the discount taken off, rounded to the centavo (half away from zero).
    /// `NotApplicable` when what is left is under [`MIN_DISCOUNTED_PRICE`] or the currency differs.
    pub fn apply(&self, price: Decimal, currency: &str) -> Result<Decimal, CouponRefusal> {
        let off = match &self.discount {
            CouponDiscount::PercentOff { percent } => price * percent / Decimal::ONE_HUNDRED,
            CouponDiscount::AmountOff { amount, currency: of } if of.eq_ignore_ascii_case(currency) => *amount,
            CouponDiscount::AmountOff { .. } => return Err(CouponRefusal::NotApplicable(None)),
        };
        let left = (price - off).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        if left < MIN_DISCOUNTED_PRICE {
            return Err(CouponRefusal::NotApplicable(self.plan));
        }
        Ok(left)
    }

    /// Counts one more redemption. Errors: `Exhausted`.
    pub fn take(&mut self, at: OffsetDateTime) -> Result<(), CouponRefusal> {
        if self.max_redemptions.is_some_and(|max| self.redemptions >= max) {
            return Err(CouponRefusal::Exhausted);
        }
        self.redemptions += 1;
        self.updated_at = at;
        Ok(())
    }

    /// Gives a redemption back (its checkout failed).
    pub fn give_back(&mut self, at: OffsetDateTime) {
        self.redemptions = self.redemptions.saturating_sub(1);
        self.updated_at = at;
    }
}

/// One user's use of one coupon (unique per coupon and user).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponRedemption {
    /// The coupon.
    pub coupon_id: CouponId,
    /// Who used it.
    pub user_id: UserId,
    /// When.
    pub created_at: OffsetDateTime,
}

/// Stores coupons (collection `coupons`, unique index `coupons_code`) and their redemptions
/// (collection `coupon_redemptions`, unique index `coupon_redemptions_user` on coupon and user).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CouponRepository: Send + Sync {
    /// Inserts. Errors: `Duplicate { index: "coupons_code" }`.
    async fn create(&self, coupon: &Coupon) -> Result<Coupon, RepoError>;
    /// The coupon. Errors: `NotFound`.
    async fn get(&self, id: CouponId) -> Result<Coupon, RepoError>;
    /// The coupon with this (normalised) code. Errors: `NotFound`.
    async fn find_by_code(&self, code: &str) -> Result<Coupon, RepoError>;
    /// Every coupon, newest first.
    async fn list(&self, page: PageRequest) -> Result<Page<Coupon>, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, coupon: &Coupon) -> Result<Coupon, RepoError>;
    /// Records a redemption. Errors: `Duplicate { index: "coupon_redemptions_user" }`.
    async fn add_redemption(&self, redemption: &CouponRedemption) -> Result<(), RepoError>;
    /// Forgets the user's redemption of the coupon; whether there was one.
    async fn remove_redemption(&self, coupon: CouponId, user: UserId) -> Result<bool, RepoError>;
}

#[cfg(test)]
#[path = "coupons_tests.rs"]
mod tests;
