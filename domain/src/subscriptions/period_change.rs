//! Changes of a card subscription's billing period (monthly <-> annual), alone or with its plan.
//! Going up in either (a dearer plan, or monthly -> annual) with nothing going down is an upgrade,
//! at once: the provider prorates it and, for a new period length, starts a new billing period
//! now. Going down (annual -> monthly, and a cheaper plan) with nothing going up is scheduled for
//! the end of the paid period, undoable until then, as a plain downgrade is. A change that goes
//! up in one and down in the other is refused: it is two changes, each with its own timing.

use time::OffsetDateTime;

use super::{BillingPeriod, Plan, PlanChangeError, PlanChangeKind, ScheduledChange, Subscription, Transition};

fn period_rank(period: BillingPeriod) -> u8 {
    match period {
        BillingPeriod::Monthly => 0,
        BillingPeriod::Annual => 1,
    }
}

impl Subscription {
    /// Which way changing from `(self.plan, from)` to `(to, period)` goes, or why it cannot be
    /// done. The same plan and period is `SamePlan`; opposite directions are `MixedDirections`.
    pub fn period_change(
        &self,
        to: Plan,
        from: BillingPeriod,
        period: BillingPeriod,
    ) -> Result<PlanChangeKind, PlanChangeError> {
        match self.plan_change(to) {
            Ok(_) | Err(PlanChangeError::SamePlan(_)) => {}
            Err(err) => return Err(err),
        }
        let plan = to.cmp(&self.plan);
        let length = period_rank(period).cmp(&period_rank(from));
        use std::cmp::Ordering::{Equal, Greater, Less};
        match (plan, length) {
            (Equal, Equal) => Err(PlanChangeError::SamePlan(to)),
            (Greater | Equal, Greater | Equal) => Ok(PlanChangeKind::Upgrade),
            (Less | Equal, Less | Equal) => Ok(PlanChangeKind::Downgrade),
            _ => Err(PlanChangeError::MixedDirections),
        }
    }

    /// Moves to `to` billed every `period` at once (the provider has prorated it and, for a new
    /// period length, started a new period ending at `period_end`); a scheduled change is dropped.
    pub fn change_period_now(
        &mut self,
        to: Plan,
        from: BillingPeriod,
        period: BillingPeriod,
        period_end: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<Transition, PlanChangeError> {
        if self.period_change(to, from, period)? != PlanChangeKind::Upgrade {
            return Err(PlanChangeError::SamePlan(self.plan));
        }
        let before = self.snapshot();
        self.plan = to;
        if let Some(end) = period_end {
            self.current_period_end = Some(end);
        }
        self.scheduled_change = None;
        self.status_reason = None;
        Ok(self.finish(before, now))
    }

    /// Schedules `to` billed every `period` for the end of the paid period (annual -> monthly).
    pub fn schedule_period_change(
        &mut self,
        to: Plan,
        from: BillingPeriod,
        period: BillingPeriod,
        now: OffsetDateTime,
    ) -> Result<Transition, PlanChangeError> {
        if self.period_change(to, from, period)? != PlanChangeKind::Downgrade {
            return Err(PlanChangeError::SamePlan(self.plan));
        }
        let at = self.current_period_end.ok_or(PlanChangeError::NoPeriodEnd)?;
        let before = self.snapshot();
        let period = (period != from).then_some(period);
        self.scheduled_change = Some(ScheduledChange { plan: to, at, period });
        Ok(self.finish(before, now))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::shared::ids::UserId;
    use crate::subscriptions::{Activation, PaymentProvider};

    const T0: OffsetDateTime = datetime!(2026-03-01 00:00 UTC);
    const END: OffsetDateTime = datetime!(2027-03-01 00:00 UTC);
    use BillingPeriod::{Annual, Monthly};

    fn on(plan: Plan) -> Subscription {
        let mut s = Subscription::free(UserId::new(), T0);
        let activation = Activation {
            provider: PaymentProvider::Stripe,
            subscription_id: "sub_1".into(),
            customer_id: None,
            plan,
            period_end: Some(END),
            observed_at: T0,
        };
        s.activate(&activation, T0).unwrap();
        s
    }

    #[test]
    fn directions() {
        let pro = on(Plan::Pro);
        assert_eq!(pro.period_change(Plan::Pro, Monthly, Annual), Ok(PlanChangeKind::Upgrade));
        assert_eq!(pro.period_change(Plan::Max, Monthly, Annual), Ok(PlanChangeKind::Upgrade));
        assert_eq!(pro.period_change(Plan::Pro, Annual, Monthly), Ok(PlanChangeKind::Downgrade));
        assert_eq!(pro.period_change(Plan::Max, Annual, Monthly), Err(PlanChangeError::MixedDirections));
        assert_eq!(pro.period_change(Plan::Pro, Annual, Annual), Err(PlanChangeError::SamePlan(Plan::Pro)));
        let max = on(Plan::Max);
        assert_eq!(max.period_change(Plan::Pro, Annual, Monthly), Ok(PlanChangeKind::Downgrade));
        assert_eq!(max.period_change(Plan::Pro, Monthly, Annual), Err(PlanChangeError::MixedDirections));
        assert_eq!(max.period_change(Plan::Free, Monthly, Annual), Err(PlanChangeError::NotAPaidPlan(Plan::Free)));
    }

    #[test]
    fn upgrade_starts_the_new_period_and_downgrade_is_scheduled() {
        let mut s = on(Plan::Pro);
        let new_end = datetime!(2027-03-10 00:00 UTC);
        s.change_period_now(Plan::Pro, Monthly, Annual, Some(new_end), T0).unwrap();
        assert_eq!((s.plan, s.current_period_end), (Plan::Pro, Some(new_end)));
        s.schedule_period_change(Plan::Pro, Annual, Monthly, T0).unwrap();
        let scheduled = ScheduledChange { plan: Plan::Pro, at: new_end, period: Some(Monthly) };
        assert_eq!(s.scheduled_change, Some(scheduled));
        assert!(s.change_period_now(Plan::Pro, Annual, Monthly, None, T0).is_err());
        s.undo_scheduled_change(T0).unwrap();
        assert_eq!(s.scheduled_change, None);
    }
}
