//! Complimentary plans ("comp"): an operator grants PRO or MAX for a number of days, with no
//! provider and nothing billed. Like a trial it ends by itself: at its end the subscription lapses
//! to FREE (`expire`) and the limit enforcers pause what is over FREE's limits. An operator can
//! revoke it earlier. It is refused over a plan the user pays for (a card subscription in good
//! standing, or a period paid by PIX or boleto still running); paying (PIX, boleto, a card
//! checkout) during a comp replaces it with the plan paid for.
//!
//! ```text
//!        grant_comp (operator)                 end passed / revoke_comp
//!   FREE ─────────────────────► PRO/MAX comp ──────────────────────────► FREE
//!   (or a trial, or a comp)        │ period paid / card subscription activated
//!                                  ▼
//!                               PRO/MAX active
//! ```

use time::{Duration, OffsetDateTime};

use super::{Plan, Subscription, SubscriptionStatus, Transition};

/// The longest comp an operator can grant at once, in days.
pub const MAX_COMP_DAYS: u32 = 366;

/// Why a comp cannot be granted or revoked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompError {
    /// FREE cannot be granted.
    #[error("plan {0} is not a paid plan")]
    NotAPaidPlan(Plan),
    /// Days outside 1..=[`MAX_COMP_DAYS`].
    #[error("days must be between 1 and {MAX_COMP_DAYS}")]
    Days,
    /// A card subscription in good standing bills the user.
    #[error("a card subscription ({0}) bills this user; cancel it before granting a plan")]
    CardSubscription(Plan),
    /// A period paid by PIX or boleto is still running.
    #[error("a period paid by PIX or boleto ({0}) runs until {1}; grant after it ends, or refund it first")]
    PaidPeriod(Plan, OffsetDateTime),
    /// There is no comp to revoke.
    #[error("the user has no complimentary plan")]
    NoComp,
}

impl Subscription {
    /// Whether the plan is a comp granted by an operator (paid plan, active, no provider).
    pub fn is_comp(&self) -> bool {
        self.plan != Plan::Free && self.status == SubscriptionStatus::Active && self.provider.is_none()
    }

    /// Grants `plan` for `days` days from `now` (a comp or trial running is replaced). `note` is
    /// shown to the user as the status reason. Errors: `NotAPaidPlan`, `Days`, `CardSubscription`,
    /// `PaidPeriod`.
    pub fn grant_comp(
        &mut self,
        plan: Plan,
        days: u32,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<Transition, CompError> {
        if plan == Plan::Free {
            return Err(CompError::NotAPaidPlan(plan));
        }
        if !(1..=MAX_COMP_DAYS).contains(&days) {
            return Err(CompError::Days);
        }
        if self.provider_subscription_id.is_some() && self.grants_plan() {
            return Err(CompError::CardSubscription(self.plan));
        }
        if let Some(end) = self.current_period_end.filter(|end| self.is_prepaid() && self.grants_plan() && *end > now) {
            return Err(CompError::PaidPeriod(self.plan, end));
        }
        let before = self.snapshot();
        self.plan = plan;
        self.status = SubscriptionStatus::Active;
        self.provider = None;
        self.provider_subscription_id = None;
        self.current_period_end = Some(now + Duration::days(i64::from(days)));
        self.cancel_at_period_end = true;
        self.scheduled_change = None;
        self.status_reason = Some(format!("complimentary {plan} granted by botfleet: {note}"));
        Ok(self.finish(before, now))
    }

    /// Ends the comp now: FREE (the caller enforces the limits). Errors: `NoComp`.
    pub fn revoke_comp(&mut self, now: OffsetDateTime) -> Result<Transition, CompError> {
        if !self.is_comp() {
            return Err(CompError::NoComp);
        }
        let before = self.snapshot();
        self.downgrade("the complimentary plan was revoked");
        Ok(self.finish(before, now))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::shared::ids::UserId;
    use crate::subscriptions::{Activation, PaymentProvider};

    const T0: OffsetDateTime = datetime!(2026-05-01 00:00 UTC);

    #[test]
    fn a_comp_runs_its_days_and_lapses_to_free() {
        let mut s = Subscription::free(UserId::new(), T0);
        let t = s.grant_comp(Plan::Max, 10, "outage", T0).unwrap();
        assert_eq!(t, Transition::Changed { from: Plan::Free, to: Plan::Max });
        assert!(s.is_comp() && !s.is_trial() && !s.is_prepaid());
        assert_eq!(s.current_period_end, Some(T0 + Duration::days(10)));
        assert_eq!(s.expire(T0 + Duration::days(10) - Duration::seconds(1)), Transition::Unchanged);
        assert_eq!(s.expire(T0 + Duration::days(10)), Transition::Changed { from: Plan::Max, to: Plan::Free });
        assert!(s.status_reason.as_deref().is_some_and(|r| r.contains("complimentary")), "{:?}", s.status_reason);
        assert_eq!(s.revoke_comp(T0 + Duration::days(11)), Err(CompError::NoComp));
    }

    #[test]
    fn a_comp_is_refused_over_what_the_user_pays_and_revoked_early() {
        let mut s = Subscription::free(UserId::new(), T0);
        assert_eq!(s.grant_comp(Plan::Free, 10, "x", T0), Err(CompError::NotAPaidPlan(Plan::Free)));
        assert_eq!(s.grant_comp(Plan::Pro, 0, "x", T0), Err(CompError::Days));
        assert_eq!(s.grant_comp(Plan::Pro, MAX_COMP_DAYS + 1, "x", T0), Err(CompError::Days));
        let mut card = s.clone();
        let activation = Activation {
            provider: PaymentProvider::Stripe,
            subscription_id: "sub_1".into(),
            customer_id: None,
            plan: Plan::Pro,
            period_end: Some(T0 + Duration::days(30)),
            observed_at: T0,
        };
        card.activate(&activation, T0).unwrap();
        assert_eq!(card.grant_comp(Plan::Max, 5, "x", T0), Err(CompError::CardSubscription(Plan::Pro)));
        let mut prepaid = s.clone();
        let paid = crate::subscriptions::PaidPeriod {
            charge: crate::subscriptions::ChargeId::new(),
            provider: PaymentProvider::Mercadopago,
            plan: Plan::Pro,
            period: crate::subscriptions::BillingPeriod::Monthly,
            paid_at: T0,
            amount: (rust_decimal::Decimal::new(1990, 2), "BRL".into()),
        };
        prepaid.period_paid(&paid, T0).unwrap();
        let end = T0 + Duration::days(30);
        assert_eq!(prepaid.grant_comp(Plan::Max, 5, "x", T0), Err(CompError::PaidPeriod(Plan::Pro, end)));

        s.start_trial(7, T0).unwrap();
        s.grant_comp(Plan::Pro, 30, "support", T0).unwrap();
        assert!(s.is_comp());
        assert_eq!(s.revoke_comp(T0 + Duration::days(1)), Ok(Transition::Changed { from: Plan::Pro, to: Plan::Free }));
        assert!(s.status_reason.as_deref().is_some_and(|r| r.contains("revoked")), "{:?}", s.status_reason);
    }
}
