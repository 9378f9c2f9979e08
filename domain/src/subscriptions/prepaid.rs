//! Periods paid once (PIX, boleto through Mercado Pago): an approved payment grants its plan until
//! the end of the period it bought; another payment before that end extends from the end, never
//! from the payment's day; with no new payment the period lapses to FREE (`expire`).
//!
//! ```text
//!            period paid (approved PIX/boleto)           period paid again (before the end)
//!   FREE ─────────────────────────────────────► PRO/MAX prepaid ◄───────┐ end += period
//!    ▲                                               │   └─────────────┘
//!    └───────────── end passed, nothing paid ────────┘  (reminder raised 3 days before the end)
//! ```

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use super::{
    BillingPeriod, ChargeId, PaymentProvider, Plan, Subscription, SubscriptionStatus, Transition, TransitionError,
};
use crate::notifications::EventPayload;

/// How many applied charges a subscription remembers (a charge is marked approved right after
/// it is applied; this covers the moment in between).
const REMEMBERED_CHARGES: usize = 16;

/// An approved one-off payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidPeriod {
    /// The charge paid.
    pub charge: ChargeId,
    /// Who collected it.
    pub provider: PaymentProvider,
    /// The plan bought.
    pub plan: Plan,
    /// The period bought.
    pub period: BillingPeriod,
    /// When the provider approved it.
    pub paid_at: OffsetDateTime,
    /// Amount and currency, for the payment event.
    pub amount: (Decimal, String),
}

impl Subscription {
    /// Grants a paid period. It starts at the end of the running period of the same plan, else
    /// when paid (another plan's remaining time is replaced, not added). A charge already applied
    /// changes nothing. Errors: `NotAPaidPlan`, `RecurringActive` (a card subscription bills the
    /// user: the payment is left for an operator to refund).
    pub fn period_paid(&mut self, p: &PaidPeriod, now: OffsetDateTime) -> Result<Transition, TransitionError> {
        if p.plan == Plan::Free {
            return Err(TransitionError::NotAPaidPlan(p.plan));
        }
        if self.provider_subscription_id.is_some() && self.grants_plan() {
            return Err(TransitionError::RecurringActive);
        }
        if self.paid_charges.contains(&p.charge) {
            return Ok(Transition::Unchanged);
        }
        let before = self.snapshot();
        let running_end =
            self.current_period_end.filter(|end| self.is_prepaid() && self.plan == p.plan && *end > p.paid_at);
        let start = running_end.unwrap_or(p.paid_at);
        self.plan = p.plan;
        self.status = SubscriptionStatus::Active;
        self.provider = Some(p.provider);
        self.provider_subscription_id = None;
        self.current_period_end = Some(start + p.period.length());
        self.cancel_at_period_end = true;
        self.status_reason = None;
        self.paid_charges.push(p.charge);
        let excess = self.paid_charges.len().saturating_sub(REMEMBERED_CHARGES);
        self.paid_charges.drain(..excess);
        self.raise_payment(true, Some((p.amount.0, &p.amount.1)), None, now);
        Ok(self.finish(before, now))
    }

    /// A paid period's charge was refunded (or charged back). When it paid for the period running
    /// now, the plan ends at once (FREE, limits enforced by the caller); when it paid for the last
    /// period, still ahead, the plan ends where that period would have begun; an older period's
    /// refund changes nothing here (it is only recorded).
    pub fn period_refunded(&mut self, charge: &super::Charge, now: OffsetDateTime) -> Transition {
        let (Some(start), Some(end)) = (charge.period_start, charge.period_end) else {
            return Transition::Unchanged;
        };
        if !self.is_prepaid() || self.plan != charge.plan || self.provider != charge.provider {
            return Transition::Unchanged;
        }
        let before = self.snapshot();
        if start <= now && now < end {
            self.downgrade("the payment for the current period was refunded");
        } else if start > now && self.current_period_end == Some(end) {
            self.current_period_end = Some(start);
        }
        self.finish(before, now)
    }

    /// Raises `subscription.period_ending` once per period end, when a prepaid period ends
    /// within `window`.
    pub fn remind_period_end(&mut self, window: Duration, now: OffsetDateTime) -> Transition {
        let Some(end) = self.current_period_end.filter(|end| self.is_prepaid() && *end > now && *end - now <= window)
        else {
            return Transition::Unchanged;
        };
        if self.period_end_notified == Some(end) {
            return Transition::Unchanged;
        }
        let before = self.snapshot();
        self.period_end_notified = Some(end);
        let data = self.event_data();
        self.outbox.raise(crate::notifications::Event::new(
            self.user_id,
            EventPayload::SubscriptionPeriodEnding(data),
            now,
        ));
        self.finish(before, now)
    }
}

#[cfg(test)]
#[path = "prepaid_tests.rs"]
mod tests;
