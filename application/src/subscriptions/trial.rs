//! `POST /api/subscriptions/trial`: the free trial of PRO, once per user, no card needed. Its
//! length is the server's setting (`BOTFLEET_TRIAL_DAYS`, 0 turns trials off); it lapses to FREE
//! like a prepaid period, with the limits enforced.

use domain::shared::ids::UserId;
use domain::subscriptions::Subscription;

use super::{SubscriptionError, SubscriptionService};

impl SubscriptionService {
    /// The same service offering `days`-day trials (0: none).
    pub fn with_trial_days(mut self, days: u32) -> Self {
        self.trial_days = days;
        self
    }

    /// The trial's length in days, when trials are offered.
    pub fn trial_days(&self) -> Option<u32> {
        (self.trial_days > 0).then_some(self.trial_days)
    }

    /// Starts the user's trial. Errors: `TrialUnavailable` (trials off), `Trial` (already used,
    /// or on a paid plan).
    pub async fn start_trial(&self, user: UserId) -> Result<Subscription, SubscriptionError> {
        let days = self.trial_days().ok_or(SubscriptionError::TrialUnavailable)?;
        let (saved, _) = self.change(user, |s, now| s.start_trial(days, now)).await?;
        Ok(saved)
    }
}
