//! The subscription state machine: every change of plan or billing state goes through one of
//! these methods, which refuse information about another subscription and ignore provider
//! information older than what was already applied, so out-of-order webhooks never move a
//! subscription backwards.
//!
//! ```text
//!            activate (checkout paid, preapproval authorized)
//!   FREE ───────────────────────────────────────────────► PRO/MAX active
//!    ▲                                                    │   ▲     │ cancel (Stripe): active,
//!    │ downgrade: provider canceled/paused,               │   │     │ cancel_at_period_end
//!    │ cancel (Mercado Pago), period ended                │   │     ▼
//!    │ after cancel_at_period_end                payment  │   │ invoice paid
//!    │                                           failed   ▼   │
//!    └───────────────────────────────────────────────── past_due ──► unpaid (retries exhausted:
//!                                                                      no paid features)
//! ```

use time::OffsetDateTime;

use super::{PaymentProvider, Plan, ProviderSubscription, Subscription, SubscriptionStatus};

/// A paid subscription starting (Stripe checkout completed, Mercado Pago preapproval authorized
/// or its first payment approved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activation {
    /// Who bills it.
    pub provider: PaymentProvider,
    /// The provider's subscription id.
    pub subscription_id: String,
    /// The provider's customer id, when it has one.
    pub customer_id: Option<String>,
    /// The plan bought: PRO or MAX.
    pub plan: Plan,
    /// End of the first paid period, when known.
    pub period_end: Option<OffsetDateTime>,
    /// The provider's time of this information.
    pub observed_at: OffsetDateTime,
}

/// What a transition did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transition {
    /// Nothing changed: already so, or the information was older than what was applied.
    Unchanged,
    /// The subscription changed.
    Changed {
        /// Effective plan before.
        from: Plan,
        /// Effective plan after.
        to: Plan,
    },
}

impl Transition {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        matches!(self, Transition::Changed { .. })
    }

    /// Whether the effective plan went down, so limits must be enforced.
    pub fn is_downgrade(&self) -> bool {
        matches!(self, Transition::Changed { from, to } if to < from)
    }
}

/// A transition that does not apply to this subscription.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// FREE cannot be bought.
    #[error("plan {0} is not a paid plan")]
    NotAPaidPlan(Plan),
    /// The information is about a provider subscription this one is not (or no longer) billed by.
    #[error("provider subscription {0} is not this user's current subscription")]
    OtherSubscription(String),
    /// A one-off payment arrived while a recurring subscription bills the user.
    #[error("a recurring subscription bills this user; the one-off payment was not applied")]
    RecurringActive,
    /// A second provider subscription while another one still grants its plan (a checkout
    /// paid in another tab): it is not applied; the caller ends it at its provider.
    #[error("provider subscription {0} would be this user's second paid subscription")]
    SecondSubscription(String),
}

impl Subscription {
    fn observe(&mut self, observed_at: OffsetDateTime) -> bool {
        if self.provider_observed_at.is_some_and(|seen| observed_at < seen) {
            return false;
        }
        self.provider_observed_at = Some(observed_at);
        true
    }

    /// Whether provider subscription `subscription_id` would be a second paid one: another
    /// provider subscription bills this user and still grants its plan. A user pays for one.
    pub fn is_second(&self, subscription_id: &str) -> bool {
        let other = self.provider_subscription_id.as_deref().is_some_and(|id| id != subscription_id);
        other && self.plan != Plan::Free && self.grants_plan()
    }

    fn is_current(&self, subscription_id: &str) -> bool {
        self.provider_subscription_id.as_deref() == Some(subscription_id)
    }

    pub(super) fn finish(&mut self, before: (Plan, Subscription), now: OffsetDateTime) -> Transition {
        let (from, old) = before;
        let mut compare = self.clone();
        compare.provider_observed_at = old.provider_observed_at;
        compare.updated_at = old.updated_at;
        if compare == old {
            return Transition::Unchanged;
        }
        self.updated_at = now;
        self.raise_changes(&old, now);
        Transition::Changed { from, to: self.effective_plan() }
    }

    pub(super) fn snapshot(&self) -> (Plan, Subscription) {
        (self.effective_plan(), self.clone())
    }

    /// Starts (or re-confirms) a paid subscription. Information about the current provider
    /// subscription that is older than what was applied changes nothing.
    pub fn activate(&mut self, a: &Activation, now: OffsetDateTime) -> Result<Transition, TransitionError> {
        if a.plan == Plan::Free {
            return Err(TransitionError::NotAPaidPlan(a.plan));
        }
        if self.is_second(&a.subscription_id) {
            return Err(TransitionError::SecondSubscription(a.subscription_id.clone()));
        }
        let before = self.snapshot();
        let same = self.is_current(&a.subscription_id);
        if same && self.provider_observed_at.is_some_and(|seen| a.observed_at < seen) {
            if self.provider_customer_id.is_none() {
                self.provider_customer_id.clone_from(&a.customer_id);
            }
            return Ok(self.finish(before, now));
        }
        self.provider_observed_at = Some(a.observed_at.max(self.provider_observed_at.unwrap_or(a.observed_at)));
        // A scheduled downgrade's plan is billed from the next period on: the paid period keeps its plan.
        if !(same && self.awaits_scheduled(a.plan)) {
            self.plan = a.plan;
        }
        self.status = SubscriptionStatus::Active;
        self.provider = Some(a.provider);
        self.provider_subscription_id = Some(a.subscription_id.clone());
        if a.customer_id.is_some() {
            self.provider_customer_id.clone_from(&a.customer_id);
        }
        if a.period_end.is_some() || !same {
            self.current_period_end = a.period_end;
        }
        if !same {
            self.cancel_at_period_end = false;
            self.scheduled_change = None;
        }
        self.status_reason = None;
        self.apply_due_change(a.period_end, now);
        Ok(self.finish(before, now))
    }

    /// Applies the provider's view of the current subscription, observed at `observed_at`.
    /// Canceled or paused at the provider downgrades to FREE at once.
    pub fn apply_provider(
        &mut self,
        p: &ProviderSubscription,
        observed_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Transition, TransitionError> {
        if !self.is_current(&p.id) {
            return Err(TransitionError::OtherSubscription(p.id.clone()));
        }
        let before = self.snapshot();
        if !self.observe(observed_at) {
            return Ok(Transition::Unchanged);
        }
        match p.status {
            SubscriptionStatus::Canceled => self.downgrade("canceled at the payment provider"),
            SubscriptionStatus::Paused => self.downgrade("paused at the payment provider"),
            status => {
                self.status = status;
                if status == SubscriptionStatus::Trialing {
                    // The provider's trial (Stripe's at checkout) is the user's one trial.
                    self.trial_started_at.get_or_insert(now);
                }
                // A scheduled downgrade is billed by the provider from the next period on; the
                // period paid for the current plan keeps it.
                if let Some(plan) = p.plan.filter(|plan| *plan != Plan::Free && !self.awaits_scheduled(*plan)) {
                    self.plan = plan;
                }
                if p.current_period_end.is_some() {
                    self.current_period_end = p.current_period_end;
                }
                self.apply_due_change(p.current_period_end, now);
                self.cancel_at_period_end = p.cancel_at_period_end;
                self.status_reason = match status {
                    SubscriptionStatus::PastDue => Some("a payment failed; the provider is retrying".into()),
                    SubscriptionStatus::Unpaid => Some("payment retries exhausted".into()),
                    SubscriptionStatus::Incomplete => Some("the first payment is not complete".into()),
                    _ => None,
                };
            }
        }
        Ok(self.finish(before, now))
    }

    /// A payment of the current subscription failed: past due while the provider retries.
    pub fn payment_failed(
        &mut self,
        subscription_id: &str,
        observed_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Transition, TransitionError> {
        if !self.is_current(subscription_id) {
            return Err(TransitionError::OtherSubscription(subscription_id.to_owned()));
        }
        let before = self.snapshot();
        if self.observe(observed_at) {
            self.raise_payment(false, None, Some("the payment provider refused the payment"), now);
            if self.is_active() {
                self.status = SubscriptionStatus::PastDue;
                self.status_reason = Some("a payment failed; the provider is retrying".into());
            }
        }
        Ok(self.finish(before, now))
    }

    /// An invoice of the current subscription was paid: active again, the period extended.
    pub fn invoice_paid(
        &mut self,
        subscription_id: &str,
        period_end: Option<OffsetDateTime>,
        observed_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Transition, TransitionError> {
        if !self.is_current(subscription_id) {
            return Err(TransitionError::OtherSubscription(subscription_id.to_owned()));
        }
        let before = self.snapshot();
        if let Some(end) = period_end {
            self.current_period_end = Some(self.current_period_end.map_or(end, |old| old.max(end)));
        }
        self.apply_due_change(period_end, now);
        if self.observe(observed_at) {
            self.raise_payment(true, None, None, now);
            self.status = SubscriptionStatus::Active;
            self.status_reason = None;
        }
        Ok(self.finish(before, now))
    }

    /// Ends a subscription cancelled at its period end once that end has passed, and applies a
    /// scheduled plan change whose time has come.
    pub fn expire(&mut self, now: OffsetDateTime) -> Transition {
        let before = self.snapshot();
        let ended = self.current_period_end.is_some_and(|end| end <= now);
        if self.plan != Plan::Free && self.cancel_at_period_end && ended {
            self.downgrade(if self.is_trial() {
                "the free trial ended without a payment"
            } else if self.is_comp() {
                "the complimentary plan ended"
            } else if self.is_prepaid() {
                "the paid period ended without a new payment"
            } else {
                "cancelled; the paid period ended"
            });
        } else {
            self.apply_due_change(None, now);
        }
        self.finish(before, now)
    }

    /// Back to FREE, keeping the customer id; `reason` is shown to the user.
    pub(super) fn downgrade(&mut self, reason: &str) {
        self.plan = Plan::Free;
        self.status = SubscriptionStatus::Active;
        self.provider = None;
        self.provider_subscription_id = None;
        self.current_period_end = None;
        self.cancel_at_period_end = false;
        self.scheduled_change = None;
        self.status_reason = Some(reason.to_owned());
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
