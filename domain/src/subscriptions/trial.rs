//! The free trial: PRO for a few days (7 by default), once per user, without a card or a
//! provider. It ends like a prepaid period: with no payment by its end the subscription goes back
//! to FREE (`expire`) and the limit enforcers pause what is over FREE's limits; a payment (PIX,
//! boleto, a card checkout) during the trial replaces it with the plan paid for.
//!
//! ```text
//!          start_trial (once per user)             end passed, nothing paid
//!   FREE ───────────────────────────► PRO trialing ───────────────────────► FREE
//!                                        │ period paid / card subscription activated
//!                                        ▼
//!                                     PRO/MAX active
//! ```

use time::{Duration, OffsetDateTime};

use super::{Plan, Subscription, SubscriptionStatus, Transition};

/// The plan a trial grants.
pub const TRIAL_PLAN: Plan = Plan::Pro;

/// Why a trial cannot start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrialError {
    /// The user had a trial already (one per user, ever).
    #[error("the free trial was already used (started {0})")]
    AlreadyUsed(OffsetDateTime),
    /// The user is on a paid plan (or a trial) now.
    #[error("already on the {0} plan; the trial is for FREE users")]
    NotFree(Plan),
}

impl Subscription {
    /// Whether the subscription is a free trial (trialing without a provider).
    pub fn is_trial(&self) -> bool {
        self.status == SubscriptionStatus::Trialing && self.provider.is_none()
    }

    /// Starts the `days`-day trial of [`TRIAL_PLAN`]. Errors: `AlreadyUsed`, `NotFree`.
    pub fn start_trial(&mut self, days: u32, now: OffsetDateTime) -> Result<Transition, TrialError> {
        if let Some(at) = self.trial_started_at {
            return Err(TrialError::AlreadyUsed(at));
        }
        if self.effective_plan() != Plan::Free {
            return Err(TrialError::NotFree(self.plan));
        }
        let before = self.snapshot();
        self.plan = TRIAL_PLAN;
        self.status = SubscriptionStatus::Trialing;
        self.provider = None;
        self.provider_subscription_id = None;
        self.current_period_end = Some(now + Duration::days(i64::from(days)));
        self.cancel_at_period_end = true;
        self.scheduled_change = None;
        self.status_reason = Some("free trial: pay before it ends to keep the plan".to_owned());
        self.trial_started_at = Some(now);
        Ok(self.finish(before, now))
    }

    /// The provider's own trial started (Stripe `trialing` after a checkout with
    /// `trial_period_days`): the card subscription is trialing, and the user's one trial is used.
    pub fn provider_trial_started(&mut self, now: OffsetDateTime) -> Transition {
        let before = self.snapshot();
        if self.provider.is_some() {
            self.status = SubscriptionStatus::Trialing;
        }
        self.trial_started_at.get_or_insert(now);
        self.finish(before, now)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::shared::ids::UserId;

    const T0: OffsetDateTime = datetime!(2026-05-01 00:00 UTC);

    #[test]
    fn a_trial_runs_once_and_lapses_to_free() {
        let mut s = Subscription::free(UserId::new(), T0);
        let t = s.start_trial(7, T0).unwrap();
        assert_eq!(t, Transition::Changed { from: Plan::Free, to: Plan::Pro });
        assert!(s.is_trial() && s.is_active());
        assert_eq!(s.current_period_end, Some(T0 + Duration::days(7)));
        assert_eq!(s.start_trial(7, T0), Err(TrialError::AlreadyUsed(T0)));
        assert_eq!(s.expire(T0 + Duration::days(7) - Duration::seconds(1)), Transition::Unchanged);
        assert_eq!(s.expire(T0 + Duration::days(7)), Transition::Changed { from: Plan::Pro, to: Plan::Free });
        assert!(s.status_reason.as_deref().is_some_and(|r| r.contains("trial ended")), "{:?}", s.status_reason);
        assert_eq!(s.start_trial(7, T0 + Duration::days(8)), Err(TrialError::AlreadyUsed(T0)));
    }

    #[test]
    fn a_provider_trial_uses_the_one_trial() {
        let mut s = Subscription::free(UserId::new(), T0);
        s.provider = Some(super::super::PaymentProvider::Stripe);
        s.provider_trial_started(T0);
        assert_eq!((s.status, s.trial_started_at), (SubscriptionStatus::Trialing, Some(T0)));
        assert!(!s.is_trial(), "a card trial is the provider's, not ours");
        s.provider_trial_started(T0 + Duration::days(1));
        assert_eq!(s.trial_started_at, Some(T0), "the first start is kept");
    }
}
