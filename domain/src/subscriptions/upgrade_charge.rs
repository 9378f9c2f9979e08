//! The upgrade of a Mercado Pago card subscription (preapproval) by a one-off payment of the
//! difference. Mercado Pago does not prorate a preapproval: the new plan's price applies from the
//! next charge on (`PUT /preapproval/{id}`), and the difference for the rest of the period paid is
//! charged once (PIX). The plan changes when that payment is approved, at once, the period end
//! unchanged.
//!
//! ```text
//!           change requested: charge recorded, PIX created    payment approved: amount updated,
//!   PRO ──────────────────────────────────────────► PRO, ──────────────────────────────────────► MAX
//!    ▲                                          charge pending            (period end unchanged)
//!    └──────────── PIX expired or rejected: nothing changes ─────┘
//! ```

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{Charge, ChargeId, Plan, PlanChangeError, Subscription, Transition, MIN_DISCOUNTED_PRICE};

/// Below this the difference is not charged (Mercado Pago refuses tiny amounts): the change is
/// made at once without a payment. The same floor as a discounted price.
pub const MIN_UPGRADE_CHARGE: Decimal = MIN_DISCOUNTED_PRICE;

/// What makes a charge the difference of an upgrade rather than a period's payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeOf {
    /// The plan billed before the change (the charge's `plan` is the one after it).
    pub from: Plan,
    /// The preapproval whose plan changes.
    pub subscription_id: String,
    /// Whether the preapproval bills the new plan's price from the next charge on (`PUT` done).
    #[serde(default)]
    pub amount_updated: bool,
}

/// `(to_price - from_price) * remaining / length`, with `remaining` (seconds) clamped to
/// `0..=length`, rounded half-up to the centavo; zero when the new price is not higher.
pub fn upgrade_difference(from_price: Decimal, to_price: Decimal, remaining: Duration, length: Duration) -> Decimal {
    let length = length.whole_seconds().max(1);
    let remaining = remaining.whole_seconds().clamp(0, length);
    let raw = (to_price - from_price).max(Decimal::ZERO) * Decimal::from(remaining) / Decimal::from(length);
    raw.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// What is charged for a difference: the difference itself, or nothing below [`MIN_UPGRADE_CHARGE`].
pub fn chargeable(difference: Decimal) -> Decimal {
    if difference < MIN_UPGRADE_CHARGE {
        Decimal::ZERO
    } else {
        difference
    }
}

impl Charge {
    /// Whether this charge is the one-off difference of an upgrade.
    pub fn is_upgrade(&self) -> bool {
        self.upgrade.is_some()
    }
}

impl Subscription {
    /// The difference of an upgrade was paid: the plan becomes `to` at once on preapproval
    /// `subscription_id`, the period end unchanged, a scheduled change dropped. A charge already
    /// applied, or a plan already at least `to`, changes nothing. Errors: `NotRecurring` (the
    /// preapproval is no longer the user's, or not in good standing: cancelled meanwhile).
    pub fn upgrade_paid(
        &mut self,
        charge: ChargeId,
        to: Plan,
        subscription_id: &str,
        amount: (Decimal, &str),
        now: OffsetDateTime,
    ) -> Result<Transition, PlanChangeError> {
        if self.paid_charges.contains(&charge) {
            return Ok(Transition::Unchanged);
        }
        if self.provider_subscription_id.as_deref() != Some(subscription_id) || !self.is_active() {
            return Err(PlanChangeError::NotRecurring);
        }
        if self.plan >= to {
            return Ok(Transition::Unchanged);
        }
        let before = self.snapshot();
        self.plan = to;
        self.scheduled_change = None;
        self.status_reason = None;
        self.paid_charges.push(charge);
        let excess = self.paid_charges.len().saturating_sub(16);
        self.paid_charges.drain(..excess);
        self.raise_payment(true, Some(amount), None, now);
        Ok(self.finish(before, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_is_the_share_of_the_time_left_rounded_half_up() {
        let (pro, max) = (Decimal::new(1990, 2), Decimal::new(9700, 2));
        let month = Duration::days(30);
        // Twenty days of thirty: 77.10 * 2 / 3 = 51.40.
        assert_eq!(upgrade_difference(pro, max, Duration::days(20), month), Decimal::new(5140, 2));
        // 77.10 * 0.5 = 38.55 exactly; 77.10 / 4 = 19.275 rounds up to 19.28.
        assert_eq!(upgrade_difference(pro, max, Duration::days(15), month), Decimal::new(3855, 2));
        assert_eq!(upgrade_difference(pro, max, Duration::hours(180), month), Decimal::new(1928, 2));
        assert_eq!(upgrade_difference(pro, max, Duration::days(40), month), Decimal::new(7710, 2));
        assert_eq!(upgrade_difference(pro, max, Duration::days(-1), month), Decimal::ZERO);
        assert_eq!(upgrade_difference(max, pro, Duration::days(10), month), Decimal::ZERO);
        assert_eq!(chargeable(Decimal::new(99, 2)), Decimal::ZERO);
        assert_eq!(chargeable(Decimal::ONE), Decimal::ONE);
    }

    fn on_pro(at: OffsetDateTime) -> Subscription {
        let mut s = Subscription::free(crate::shared::ids::UserId::new(), at);
        s.plan = Plan::Pro;
        s.provider = Some(super::super::PaymentProvider::Mercadopago);
        s.provider_subscription_id = Some("2c938084".into());
        s.current_period_end = Some(at + Duration::days(20));
        s
    }

    #[test]
    fn a_paid_difference_upgrades_once_and_only_the_same_preapproval() {
        let at = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let charge = ChargeId::new();
        let paid = (Decimal::new(5140, 2), "BRL");
        let mut s = on_pro(at);
        assert!(s.upgrade_paid(charge, Plan::Max, "2c938084", paid, at).unwrap().changed());
        assert_eq!((s.plan, s.current_period_end), (Plan::Max, Some(at + Duration::days(20))));
        assert_eq!(s.upgrade_paid(charge, Plan::Max, "2c938084", paid, at), Ok(Transition::Unchanged));
        let mut other = on_pro(at);
        assert_eq!(other.upgrade_paid(charge, Plan::Max, "another", paid, at), Err(PlanChangeError::NotRecurring));
        let mut cancelled = on_pro(at);
        cancelled.downgrade("canceled at the payment provider");
        assert_eq!(cancelled.upgrade_paid(charge, Plan::Max, "2c938084", paid, at), Err(PlanChangeError::NotRecurring));
        assert_eq!(cancelled.plan, Plan::Free);
    }
}
