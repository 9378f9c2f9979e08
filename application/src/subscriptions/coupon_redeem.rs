//! A coupon at checkout (Mercado Pago): checked, counted atomically, and given back when the
//! checkout fails at the provider.
//!
//! Counting: the user's redemption is inserted first under the unique index on (coupon, user), so
//! one user redeems a coupon once; then the coupon's count is raised by a versioned replace,
//! retried on a conflict after reading the coupon again, so two concurrent checkouts can never
//! both take its last redemption. A refused count removes the redemption again.

use domain::shared::ids::UserId;
use domain::subscriptions::{Coupon, CouponRedemption, CouponRefusal, Plan};
use domain::RepoError;
use rust_decimal::Decimal;

use super::coupons::COUPON_CURRENCY;
use super::{SubscriptionError, SubscriptionService};

/// How often a redemption is retried against concurrent ones before giving up (each retry
/// follows a write that succeeded, so this only bounds a pathological storm).
const MAX_ATTEMPTS: usize = 64;

/// A redeemed coupon and the price it leaves.
#[derive(Clone, Debug)]
pub(crate) struct Redeemed {
    /// The coupon, as counted.
    pub coupon: Coupon,
    /// The discounted amount to charge.
    pub amount: Decimal,
}

impl SubscriptionService {
    /// The coupon `raw_code` applied to `price` of `plan`, without counting it (a pending
    /// charge that already carries it is handed out again). Errors: `Coupon`.
    pub(crate) async fn quote_coupon(
        &self,
        raw_code: &str,
        plan: Plan,
        price: Decimal,
    ) -> Result<(Coupon, Decimal), SubscriptionError> {
        let code = Coupon::normalize_code(raw_code).ok_or(SubscriptionError::Coupon(CouponRefusal::Unknown))?;
        let coupon = match self.ports.coupons.find_by_code(&code).await {
            Err(RepoError::NotFound) => return Err(SubscriptionError::Coupon(CouponRefusal::Unknown)),
            other => other?,
        };
        coupon.check(plan, self.ports.clock.now()).map_err(SubscriptionError::Coupon)?;
        let amount = coupon.apply(price, COUPON_CURRENCY).map_err(SubscriptionError::Coupon)?;
        Ok((coupon, amount))
    }

    /// Redeems `raw_code` for `user` buying `plan` at `price`. Errors: `Coupon` (unknown,
    /// expired or disabled, not for this plan, exhausted, already redeemed by this user).
    pub(crate) async fn redeem_coupon(
        &self,
        raw_code: &str,
        user: UserId,
        plan: Plan,
        price: Decimal,
    ) -> Result<Redeemed, SubscriptionError> {
        let (coupon, amount) = self.quote_coupon(raw_code, plan, price).await?;
        let redemption = CouponRedemption { coupon_id: coupon.id, user_id: user, created_at: self.ports.clock.now() };
        match self.ports.coupons.add_redemption(&redemption).await {
            Err(RepoError::Duplicate { .. }) => return Err(SubscriptionError::Coupon(CouponRefusal::AlreadyRedeemed)),
            other => other?,
        }
        match self.count_redemption(coupon, plan).await {
            Ok(coupon) => Ok(Redeemed { coupon, amount }),
            Err(err) => {
                if let Err(undo) = self.ports.coupons.remove_redemption(redemption.coupon_id, user).await {
                    tracing::error!(coupon = %redemption.coupon_id, user = %user, error = %undo, "redemption left behind");
                }
                Err(err)
            }
        }
    }

    /// Raises the coupon's count under its version, reading it again after each conflict.
    async fn count_redemption(&self, mut coupon: Coupon, plan: Plan) -> Result<Coupon, SubscriptionError> {
        for _ in 0..MAX_ATTEMPTS {
            let now = self.ports.clock.now();
            coupon.check(plan, now).map_err(SubscriptionError::Coupon)?;
            coupon.take(now).map_err(SubscriptionError::Coupon)?;
            match self.ports.coupons.update(&coupon).await {
                Err(RepoError::Conflict) => coupon = self.ports.coupons.get(coupon.id).await?,
                other => return Ok(other?),
            }
        }
        Err(RepoError::Conflict.into())
    }

    /// Gives `user`'s redemption of `coupon` back (the checkout failed at the provider, or its
    /// charge expired unpaid). Failures are logged: the redemption then stays counted.
    pub(crate) async fn release_coupon(&self, coupon: &Coupon, user: UserId) {
        if let Err(err) = self.try_release(coupon, user).await {
            tracing::error!(coupon = %coupon.id, user = %user, error = %err, "coupon redemption not given back");
        }
    }

    async fn try_release(&self, coupon: &Coupon, user: UserId) -> Result<(), RepoError> {
        if !self.ports.coupons.remove_redemption(coupon.id, user).await? {
            return Ok(());
        }
        for _ in 0..MAX_ATTEMPTS {
            let mut current = self.ports.coupons.get(coupon.id).await?;
            current.give_back(self.ports.clock.now());
            match self.ports.coupons.update(&current).await {
                Err(RepoError::Conflict) => continue,
                other => return other.map(|_| ()),
            }
        }
        Err(RepoError::Conflict)
    }

    /// Gives back the redemption of the coupon code `code` (as stored on a charge).
    pub(crate) async fn release_coupon_code(&self, code: &str, user: UserId) {
        match self.ports.coupons.find_by_code(code).await {
            Ok(coupon) => self.release_coupon(&coupon, user).await,
            Err(err) => tracing::error!(coupon = code, user = %user, error = %err, "coupon to give back not found"),
        }
    }
}
