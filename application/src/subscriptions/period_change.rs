//! The billing period of a plan change (monthly <-> annual): what the change asked for means for
//! the subscription, read from the provider (Stripe: the item's price; Mercado Pago: the
//! preapproval's frequency), and the refusals of what the provider cannot do.

use domain::subscriptions::{
    BillingPeriod, PaymentError, Plan, PlanChangeError, PlanChangeKind, Subscription, Transition,
};
use time::OffsetDateTime;

use super::change_plan::unavailable;
use super::{SubscriptionError, SubscriptionService};
use crate::{FieldCode, FieldError};

/// A plan change, resolved against the subscription.
#[derive(Clone, Copy, Debug)]
pub(super) struct Target {
    /// Upgrade (at once) or downgrade (at the period end).
    pub kind: PlanChangeKind,
    /// The period billed now, when the change moves to another one.
    pub from: Option<BillingPeriod>,
    /// The period after the change, when it differs from `from`; `None` keeps it.
    pub period: Option<BillingPeriod>,
}

fn invalid_period(why: impl Into<String>) -> SubscriptionError {
    SubscriptionError::Invalid(vec![FieldError::new("period", FieldCode::Invalid, why)])
}

impl Target {
    /// Schedules the downgrade (with its new period, if any).
    pub fn schedule(&self, s: &mut Subscription, to: Plan, now: OffsetDateTime) -> Result<Transition, PlanChangeError> {
        match (self.from, self.period) {
            (Some(from), Some(period)) => s.schedule_period_change(to, from, period, now),
            _ => s.schedule_change(to, now),
        }
    }

    /// A provider refusal of what it cannot do, in our terms.
    pub fn unavailable(&self, current: &Subscription, err: PaymentError) -> SubscriptionError {
        match (&err, current.provider) {
            (PaymentError::Rejected { code, .. }, Some(provider)) if code == "period_change_not_supported" => {
                SubscriptionError::PeriodChangeUnavailable { provider }
            }
            (PaymentError::Rejected { code, .. }, _) if code == "period_not_offered" => {
                invalid_period("annual card prices are not offered by this provider")
            }
            _ => unavailable(current, err),
        }
    }
}

impl SubscriptionService {
    /// Which way changing to `to` billed every `period` goes. Without `period`, or with the one
    /// billed now, it is a plan change keeping the period. Errors: `PlanChange`; `Invalid` naming
    /// `period` (plan and period in opposite directions, or annual not offered by the provider);
    /// `PeriodChangeUnavailable` (the provider cannot change a subscription's period);
    /// `NotConfigured`, `ProviderUnavailable`.
    pub(super) async fn target(
        &self,
        current: &Subscription,
        to: Plan,
        period: Option<BillingPeriod>,
    ) -> Result<Target, SubscriptionError> {
        let keep = |current: &Subscription| -> Result<Target, SubscriptionError> {
            Ok(Target { kind: current.plan_change(to)?, from: None, period: None })
        };
        let Some(period) = period else { return keep(current) };
        // Refusals that need no provider (FREE, PIX or boleto, past due, ...) come first.
        match current.plan_change(to) {
            Ok(_) | Err(PlanChangeError::SamePlan(_)) => {}
            Err(err) => return Err(err.into()),
        }
        let (Some(provider), Some(id)) = (current.provider, current.provider_subscription_id.as_deref()) else {
            return Err(PlanChangeError::NotRecurring.into());
        };
        let gateway = self.ports.gateways.get(provider)?;
        let from = gateway.billing_period(id).await?;
        if from == period {
            return keep(current);
        }
        if !gateway.changes_billing_period() {
            return Err(if gateway.offers_annual_card() {
                SubscriptionError::PeriodChangeUnavailable { provider }
            } else {
                invalid_period("annual card prices are not offered by this provider")
            });
        }
        let kind = current.period_change(to, from, period).map_err(|e| match e {
            PlanChangeError::MixedDirections => invalid_period(e.to_string()),
            other => other.into(),
        })?;
        Ok(Target { kind, from: Some(from), period: Some(period) })
    }
}
