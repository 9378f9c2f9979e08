//! Comp grants (backoffice `POST /backoffice/api/users/{id}/comp`): an operator gives a user PRO
//! or MAX for some days, nothing billed. The subscription's `grant_comp` transition refuses it over
//! a plan the user pays for; the grant is listed on the user's invoices as a `comp` entry (amount
//! 0, status `granted`). It lapses to FREE at its end like a trial (limits enforced); `revoke`
//! ends it at once and closes the entry's period.

use domain::shared::ids::UserId;
use domain::subscriptions::{Charge, ChargeStatus, CompError, PaymentMethod, Plan, Subscription, MAX_COMP_DAYS};
use domain::PageRequest;

use super::{SubscriptionError, SubscriptionService};
use crate::{FieldCode, FieldError};

/// The longest reason an operator can give, in characters.
pub const MAX_COMP_REASON: usize = 200;

/// A comp granted.
#[derive(Debug)]
pub struct CompGranted {
    /// The subscription now.
    pub subscription: Subscription,
    /// Its entry on the invoice list.
    pub entry: Charge,
}

fn check(plan: Plan, days: u32, reason: &str) -> Result<(), SubscriptionError> {
    let mut errors = Vec::new();
    if plan == Plan::Free {
        errors.push(FieldError::new("plan", FieldCode::NotPaid, "grant PRO or MAX"));
    }
    if !(1..=MAX_COMP_DAYS).contains(&days) {
        errors.push(FieldError::new("days", FieldCode::Range, format!("between 1 and {MAX_COMP_DAYS} days")));
    }
    let length = reason.trim().chars().count();
    if length == 0 || length > MAX_COMP_REASON {
        errors.push(FieldError::new(
            "reason",
            FieldCode::Length,
            format!("1 to {MAX_COMP_REASON} characters, not blank"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(SubscriptionError::Invalid(errors))
    }
}

impl SubscriptionService {
    /// Grants `plan` to `user` for `days` days from now; `reason` is shown to the user. Errors:
    /// `Invalid` (plan, days, reason), `Comp` (a card subscription or a paid period runs).
    pub async fn grant_comp(
        &self,
        user: UserId,
        plan: Plan,
        days: u32,
        reason: &str,
    ) -> Result<CompGranted, SubscriptionError> {
        check(plan, days, reason)?;
        let note = reason.trim();
        let (subscription, _) = self.change(user, |s, now| s.grant_comp(plan, days, note, now)).await?;
        let now = self.ports.clock.now();
        let until = subscription.current_period_end.unwrap_or(now);
        let entry = self.ports.charges.create(&Charge::comp(user, plan, until, now)).await?;
        Ok(CompGranted { subscription, entry })
    }

    /// Ends the user's comp now (FREE, limits enforced); the comp's invoice entry ends now too.
    /// Errors: `Comp(NoComp)`.
    pub async fn revoke_comp(&self, user: UserId) -> Result<Subscription, SubscriptionError> {
        let current = self.current(user).await?;
        if !current.is_comp() {
            return Err(CompError::NoComp.into());
        }
        let (subscription, _) = self.change(user, |s, now| s.revoke_comp(now)).await?;
        let now = self.ports.clock.now();
        let recent = self.ports.charges.list_for_user(user, PageRequest::new(0, 50)).await?;
        let running = recent.items.into_iter().find(|c| {
            c.method == PaymentMethod::Comp
                && c.status == ChargeStatus::Granted
                && c.period_end.is_some_and(|e| e > now)
        });
        if let Some(mut entry) = running {
            entry.period_end = Some(now);
            entry.updated_at = now;
            self.ports.charges.update(&entry).await?;
        }
        Ok(subscription)
    }
}
