//! The operators' coupon table (`/backoffice/api/coupons`): create, list, disable. What a coupon
//! does at checkout is in `coupon_redeem.rs`.

use domain::subscriptions::{Coupon, CouponDiscount, CouponId, Plan};
use domain::{Page, PageRequest, RepoError};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::SubscriptionService;
use crate::{FieldCode, FieldError, Unexpected};

/// The only currency of an amount off: coupons discount Mercado Pago's BRL prices.
pub const COUPON_CURRENCY: &str = "BRL";

/// Why a coupon cannot be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum CouponError {
    /// Fields break the rules, each named.
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// Another coupon has this code (disabled ones included: a code is never reused).
    #[error("a coupon with this code exists")]
    Exists,
    /// No such coupon.
    #[error("coupon not found")]
    NotFound,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(CouponError);

/// A coupon as an operator defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCouponInput {
    /// The code users type (3 to 32 of `A-Z 0-9 - _`, case-insensitive).
    pub code: String,
    /// A percentage off (more than 0, less than 100, at most 2 decimals); or
    pub percent_off: Option<Decimal>,
    /// an amount off in `currency` (more than 0, centavos at most).
    pub amount_off: Option<Decimal>,
    /// The amount's currency: `BRL`.
    pub currency: Option<String>,
    /// Unusable from then on (must be in the future).
    pub expires_at: Option<OffsetDateTime>,
    /// Redemptions allowed in all (at least 1); unlimited when unset.
    pub max_redemptions: Option<u32>,
    /// The only plan it applies to (PRO or MAX); any when unset.
    pub plan: Option<Plan>,
    /// The operator creating it.
    pub created_by: String,
}

fn discount_of(input: &NewCouponInput, errors: &mut Vec<FieldError>) -> Option<CouponDiscount> {
    let decimals = |d: &Decimal| d.normalize().scale() <= 2;
    match (input.percent_off, input.amount_off) {
        (Some(percent), None) => {
            if percent <= Decimal::ZERO || percent >= Decimal::ONE_HUNDRED || !decimals(&percent) {
                let why = "more than 0 and less than 100, at most 2 decimals";
                errors.push(FieldError::new("percent_off", FieldCode::Range, why));
            }
            if input.currency.is_some() {
                errors.push(FieldError::new("currency", FieldCode::NotAllowed, "only with amount_off"));
            }
            Some(CouponDiscount::PercentOff { percent })
        }
        (None, Some(amount)) => {
            if amount <= Decimal::ZERO || !decimals(&amount) {
                errors.push(FieldError::new("amount_off", FieldCode::Range, "more than 0, centavos at most"));
            }
            match input.currency.as_deref() {
                Some(c) if c.eq_ignore_ascii_case(COUPON_CURRENCY) => {}
                Some(_) => errors.push(FieldError::new("currency", FieldCode::Invalid, "coupons are in BRL")),
                None => errors.push(FieldError::new("currency", FieldCode::Required, "required with amount_off")),
            }
            Some(CouponDiscount::AmountOff { amount, currency: COUPON_CURRENCY.to_owned() })
        }
        _ => {
            let why = "give exactly one of percent_off and amount_off";
            errors.push(FieldError::new("percent_off", FieldCode::Required, why));
            None
        }
    }
}

impl SubscriptionService {
    /// Creates a coupon. Errors: `Invalid` (every bad field named), `Exists`.
    pub async fn create_coupon(&self, input: NewCouponInput) -> Result<Coupon, CouponError> {
        let now = self.ports.clock.now();
        let mut errors = Vec::new();
        let code = Coupon::normalize_code(&input.code);
        if code.is_none() {
            errors.push(FieldError::new("code", FieldCode::Invalid, "3 to 32 letters, digits, '-' or '_'"));
        }
        let discount = discount_of(&input, &mut errors);
        if input.expires_at.is_some_and(|at| at <= now) {
            errors.push(FieldError::new("expires_at", FieldCode::Range, "must be in the future"));
        }
        if input.max_redemptions == Some(0) {
            errors.push(FieldError::new("max_redemptions", FieldCode::Range, "at least 1"));
        }
        if input.plan == Some(Plan::Free) {
            errors.push(FieldError::new("plan", FieldCode::NotPaid, "FREE costs nothing; choose PRO or MAX"));
        }
        let (true, Some(code), Some(discount)) = (errors.is_empty(), code, discount) else {
            return Err(CouponError::Invalid(errors));
        };
        let coupon = Coupon {
            id: CouponId::new(),
            code,
            discount,
            expires_at: input.expires_at,
            max_redemptions: input.max_redemptions,
            redemptions: 0,
            plan: input.plan,
            active: true,
            created_by: input.created_by,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        match self.ports.coupons.create(&coupon).await {
            Err(RepoError::Duplicate { .. }) => Err(CouponError::Exists),
            other => Ok(other?),
        }
    }

    /// One coupon. Errors: `NotFound`.
    pub async fn get_coupon(&self, id: CouponId) -> Result<Coupon, CouponError> {
        match self.ports.coupons.get(id).await {
            Err(RepoError::NotFound) => Err(CouponError::NotFound),
            other => Ok(other?),
        }
    }

    /// Every coupon, newest first.
    pub async fn list_coupons(&self, page: PageRequest) -> Result<Page<Coupon>, CouponError> {
        Ok(self.ports.coupons.list(page).await?)
    }

    /// Disables a coupon for good: refused at every later checkout; redemptions already made stay.
    /// Errors: `NotFound`.
    pub async fn disable_coupon(&self, id: CouponId) -> Result<Coupon, CouponError> {
        loop {
            let mut coupon = match self.ports.coupons.get(id).await {
                Err(RepoError::NotFound) => return Err(CouponError::NotFound),
                other => other?,
            };
            if !coupon.active {
                return Ok(coupon);
            }
            coupon.active = false;
            coupon.updated_at = self.ports.clock.now();
            match self.ports.coupons.update(&coupon).await {
                Err(RepoError::Conflict) => continue,
                other => return Ok(other?),
            }
        }
    }
}
