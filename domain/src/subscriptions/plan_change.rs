//! Plan changes of a card subscription (PRO <-> MAX): an upgrade takes effect at once (the
//! provider prorates it), a downgrade is scheduled for the end of the paid period, can be undone
//! until then, and is applied when the period ends: by the renewal (`invoice_paid`, a provider
//! update past the end) or by the next read after the end (`expire`).
//!
//! ```text
//!              upgrade (at once, prorated)
//!   PRO ──────────────────────────────────────► MAX
//!    ▲                                           │ schedule_change(PRO)
//!    │ period end (renewal, or read after it)    ▼
//!    └──────────────────────────────── MAX, PRO scheduled ──► undo_scheduled_change ──► MAX
//! ```

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{BillingPeriod, Plan, Subscription, SubscriptionStatus, Transition};
use crate::shared::ids::UserId;

/// A downgrade waiting for the end of the paid period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduledChange {
    /// The plan from `at` on.
    pub plan: Plan,
    /// When it takes effect: the end of the period paid for the current plan.
    pub at: OffsetDateTime,
    /// The billing period from `at` on, when it changes too (annual -> monthly); `None` keeps it.
    pub period: Option<BillingPeriod>,
}

/// How a plan change reaches the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanChangeTiming {
    /// At once, prorated as of `proration_date`, the difference invoiced now.
    Now {
        /// The instant the proration is computed for (the previewed one reproduces its figure).
        proration_date: OffsetDateTime,
    },
    /// From the next period on, without proration: the current period keeps the plan paid for.
    NextPeriod,
}

/// A plan change sent to the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanChangeRequest {
    /// Whose subscription.
    pub user_id: UserId,
    /// The provider's subscription id.
    pub subscription_id: String,
    /// The plan billed after the change.
    pub plan: Plan,
    /// The billing period after the change; `None` keeps the subscription's own.
    pub period: Option<BillingPeriod>,
    /// When.
    pub timing: PlanChangeTiming,
}

/// What an immediate plan change would invoice, as the provider previews it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProrationPreview {
    /// Due now (the invoice's `amount_due`), in `currency`.
    pub amount_due: Decimal,
    /// The net of the proration lines (credit for the unused time plus the new plan's remaining time).
    pub proration: Decimal,
    /// ISO 4217, upper case.
    pub currency: String,
    /// The instant the proration was computed for.
    pub proration_date: OffsetDateTime,
}

/// Which way a plan change goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanChangeKind {
    /// To a dearer plan: at once, prorated.
    Upgrade,
    /// To a cheaper plan: at the end of the paid period.
    Downgrade,
}

impl PlanChangeKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanChangeKind::Upgrade => "upgrade",
            PlanChangeKind::Downgrade => "downgrade",
        }
    }
}

/// Why a plan change does not apply to this subscription.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanChangeError {
    /// FREE is reached by cancelling, not by a change.
    #[error("plan {0} is not a paid plan; cancel the subscription to go back to FREE")]
    NotAPaidPlan(Plan),
    /// FREE, or a period paid once (PIX, boleto): there is no card subscription to change.
    #[error("no card subscription bills this user; start a checkout for the plan instead")]
    NotRecurring,
    /// The plan asked for is the current one (and nothing is scheduled).
    #[error("already on {0}")]
    SamePlan(Plan),
    /// Past due, unpaid, incomplete or paused: settle the subscription first.
    #[error("the subscription is {0:?}; settle it before changing plans")]
    NotInGoodStanding(SubscriptionStatus),
    /// The subscription ends at its period end: nothing to change.
    #[error("the subscription is cancelled at its period end; subscribe again instead")]
    EndsAtPeriodEnd,
    /// The end of the paid period is unknown, so a downgrade cannot be scheduled.
    #[error("the end of the paid period is unknown; try again once the provider confirmed it")]
    NoPeriodEnd,
    /// The plan and the billing period would move in opposite directions (one up, one down).
    #[error("the plan and the billing period would change in opposite directions; change them one at a time")]
    MixedDirections,
    /// There is no scheduled change to undo.
    #[error("no plan change is scheduled")]
    NothingScheduled,
}

impl Subscription {
    /// Which way changing to `to` goes, or why it cannot be changed.
    pub fn plan_change(&self, to: Plan) -> Result<PlanChangeKind, PlanChangeError> {
        if to == Plan::Free {
            return Err(PlanChangeError::NotAPaidPlan(to));
        }
        if self.plan == Plan::Free || self.provider_subscription_id.is_none() {
            return Err(PlanChangeError::NotRecurring);
        }
        if !self.is_active() {
            return Err(PlanChangeError::NotInGoodStanding(self.status));
        }
        if self.cancel_at_period_end {
            return Err(PlanChangeError::EndsAtPeriodEnd);
        }
        match to.cmp(&self.plan) {
            std::cmp::Ordering::Greater => Ok(PlanChangeKind::Upgrade),
            std::cmp::Ordering::Less => Ok(PlanChangeKind::Downgrade),
            std::cmp::Ordering::Equal => Err(PlanChangeError::SamePlan(to)),
        }
    }

    /// Moves to the dearer plan `to` at once (the provider has prorated it); a scheduled change
    /// is dropped.
    pub fn upgrade_now(&mut self, to: Plan, now: OffsetDateTime) -> Result<Transition, PlanChangeError> {
        if self.plan_change(to)? != PlanChangeKind::Upgrade {
            return Err(PlanChangeError::SamePlan(self.plan));
        }
        let before = self.snapshot();
        self.plan = to;
        self.scheduled_change = None;
        self.status_reason = None;
        Ok(self.finish(before, now))
    }

    /// Schedules the cheaper plan `to` for the end of the paid period. Scheduling the same change
    /// again changes nothing.
    pub fn schedule_change(&mut self, to: Plan, now: OffsetDateTime) -> Result<Transition, PlanChangeError> {
        if self.plan_change(to)? != PlanChangeKind::Downgrade {
            return Err(PlanChangeError::SamePlan(self.plan));
        }
        let at = self.current_period_end.ok_or(PlanChangeError::NoPeriodEnd)?;
        let before = self.snapshot();
        self.scheduled_change = Some(ScheduledChange { plan: to, at, period: None });
        Ok(self.finish(before, now))
    }

    /// Drops the scheduled change: the current plan continues. Errors: `NothingScheduled`.
    pub fn undo_scheduled_change(&mut self, now: OffsetDateTime) -> Result<Transition, PlanChangeError> {
        if self.scheduled_change.is_none() {
            return Err(PlanChangeError::NothingScheduled);
        }
        let before = self.snapshot();
        self.scheduled_change = None;
        Ok(self.finish(before, now))
    }

    /// Applies the scheduled change once its time has come: `now` reached it, or the provider
    /// reports a period that ends after it (the renewal). Returns whether it was applied.
    pub(super) fn apply_due_change(&mut self, reported_end: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        let Some(change) = self.scheduled_change else { return false };
        if self.plan == Plan::Free {
            self.scheduled_change = None;
            return false;
        }
        if change.at > now && reported_end.is_none_or(|end| end <= change.at) {
            return false;
        }
        self.plan = change.plan;
        self.scheduled_change = None;
        self.status_reason = Some(format!("changed to {} at the end of the paid period", change.plan));
        true
    }

    /// Whether the provider's `plan` is the scheduled one while the period paid for the current
    /// plan still runs (the provider bills the new plan from the next period on).
    pub(super) fn awaits_scheduled(&self, plan: Plan) -> bool {
        self.scheduled_change.is_some_and(|c| c.plan == plan)
    }
}

#[cfg(test)]
#[path = "plan_change_tests.rs"]
mod tests;
