//! `POST /api/subscriptions/change` (and its preview, and `DELETE` to undo): PRO <-> MAX on a card
//! subscription. An upgrade is prorated and invoiced at once by the provider (Stripe), then takes
//! effect (Mercado Pago: the difference is charged by PIX first, see `upgrade_charge`); a
//! downgrade is sent to the provider for the next period (Stripe: the item's price without
//! proration; Mercado Pago: the next charge's amount) and scheduled for the period end, undoable
//! until then. The provider is changed first: if saving fails afterwards, the next
//! webhook or reconciliation brings the subscription in line with what the provider bills.

use domain::shared::ids::UserId;
use domain::subscriptions::{
    BillingPeriod, PaymentError, PaymentMethod, Plan, PlanChangeError, PlanChangeKind, PlanChangeRequest,
    PlanChangeTiming, Subscription, Transition,
};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use super::{SubscriptionError, SubscriptionService};
use crate::{FieldCode, FieldError};

/// How old a previewed `proration_date` may be when the change is confirmed.
const PRORATION_DATE_MAX_AGE: Duration = Duration::hours(1);

/// What a plan change does, shown before confirming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanChangeQuote {
    /// Upgrade (at once) or downgrade (at the period end).
    pub kind: PlanChangeKind,
    /// The plan now.
    pub from: Plan,
    /// The plan after the change.
    pub to: Plan,
    /// When the new plan takes effect.
    pub effective_at: OffsetDateTime,
    /// Upgrade: what the provider invoices now (`None` for a downgrade: nothing is due now).
    pub amount_due: Option<Decimal>,
    /// Upgrade: the net of the proration lines.
    pub proration: Option<Decimal>,
    /// Upgrade: the invoice's currency.
    pub currency: Option<String>,
    /// Upgrade of a Mercado Pago card subscription: how the difference is paid before the change
    /// applies (PIX); `None` when nothing is due first (Stripe invoices it, or too little).
    pub method: Option<PaymentMethod>,
}

impl SubscriptionService {
    /// What changing to `to` would do now, with the provider's proration for an upgrade.
    /// A Mercado Pago upgrade shows the difference for the rest of the period, paid by PIX.
    /// Errors: `PlanChange`, `NotConfigured`, `ProviderUnavailable`.
    pub async fn preview_plan_change(
        &self,
        user: UserId,
        to: Plan,
        period: Option<BillingPeriod>,
    ) -> Result<PlanChangeQuote, SubscriptionError> {
        let current = self.current(user).await?;
        let target = self.target(&current, to, period).await?;
        let kind = target.kind;
        let now = self.ports.clock.now();
        let mut quote = PlanChangeQuote {
            kind,
            from: current.plan,
            to,
            effective_at: now,
            amount_due: None,
            proration: None,
            currency: None,
            method: None,
        };
        if kind == PlanChangeKind::Downgrade {
            quote.effective_at = current.current_period_end.ok_or(PlanChangeError::NoPeriodEnd)?;
            return Ok(quote);
        }
        if Self::pays_difference(&current, kind, target.from.is_some()) {
            // Mercado Pago: the difference for the rest of the period, charged once (PIX).
            // Whole seconds, so that the previewed `proration_date` sent back charges this figure.
            let at = now.replace_nanosecond(0).unwrap_or(now);
            let difference = self.difference(&current, to, at).await?;
            quote.effective_at = at;
            quote.amount_due = Some(difference.charged);
            quote.proration = Some(difference.amount);
            quote.currency = Some("BRL".to_owned());
            quote.method = (!difference.charged.is_zero()).then_some(PaymentMethod::Pix);
            return Ok(quote);
        }
        let (gateway, request) =
            self.change_request(&current, to, target.period, PlanChangeTiming::Now { proration_date: now })?;
        let preview = gateway.preview_plan_change(&request).await.map_err(|e| unavailable(&current, e))?;
        quote.effective_at = preview.proration_date;
        quote.amount_due = Some(preview.amount_due);
        quote.proration = Some(preview.proration);
        quote.currency = Some(preview.currency);
        Ok(quote)
    }

    /// Changes the plan: an upgrade at once, prorated as of `proration_date` (a previewed one, at
    /// most an hour old; else now); a downgrade scheduled for the period end. Errors: as
    /// [`Self::preview_plan_change`], and `Invalid` naming `proration_date`. `period` (monthly,
    /// annual) changes the billing period too; `None` keeps it.
    pub async fn change_plan(
        &self,
        user: UserId,
        to: Plan,
        period: Option<BillingPeriod>,
        proration_date: Option<OffsetDateTime>,
    ) -> Result<Subscription, SubscriptionError> {
        let current = self.current(user).await?;
        let target = self.target(&current, to, period).await?;
        if target.kind == PlanChangeKind::Downgrade {
            if current.scheduled_change.is_some_and(|c| c.plan == to && c.period == target.period) {
                return Ok(current);
            }
            current.current_period_end.ok_or(PlanChangeError::NoPeriodEnd)?;
            let (gateway, request) = self.change_request(&current, to, target.period, PlanChangeTiming::NextPeriod)?;
            gateway.change_plan(&request).await.map_err(|e| target.unavailable(&current, e))?;
            let (saved, _) = self.change(user, |s, now| target.schedule(s, to, now)).await?;
            return Ok(saved);
        }
        let proration_date = self.proration_date(proration_date)?;
        let timing = PlanChangeTiming::Now { proration_date };
        let (gateway, request) = self.change_request(&current, to, target.period, timing)?;
        let after = gateway.change_plan(&request).await.map_err(|e| target.unavailable(&current, e))?;
        let (saved, _) = match target.from {
            Some(from) => {
                let (period, end) = (target.period.unwrap_or(from), after.current_period_end);
                self.change(user, |s, now| s.change_period_now(to, from, period, end, now)).await?
            }
            None => {
                self.change(
                    user,
                    |s, now| if s.plan == to { Ok(Transition::Unchanged) } else { s.upgrade_now(to, now) },
                )
                .await?
            }
        };
        Ok(saved)
    }

    /// The instant an upgrade is prorated for: a previewed one, at most an hour old; else now.
    pub(super) fn proration_date(&self, at: Option<OffsetDateTime>) -> Result<OffsetDateTime, SubscriptionError> {
        let now = self.ports.clock.now();
        match at {
            None => Ok(now),
            Some(at) if at <= now && now - at <= PRORATION_DATE_MAX_AGE => Ok(at),
            Some(_) => {
                let why = "must be a previewed proration date from the last hour";
                Err(SubscriptionError::Invalid(vec![FieldError::new("proration_date", FieldCode::Invalid, why)]))
            }
        }
    }

    /// Undoes the scheduled downgrade: the provider bills the current plan again from the next
    /// period on. Errors: `PlanChange` (`NothingScheduled`), `NotConfigured`, `ProviderUnavailable`.
    pub async fn undo_plan_change(&self, user: UserId) -> Result<Subscription, SubscriptionError> {
        let current = self.current(user).await?;
        if current.scheduled_change.is_none() {
            return Err(PlanChangeError::NothingScheduled.into());
        }
        let (gateway, request) = self.change_request(&current, current.plan, None, PlanChangeTiming::NextPeriod)?;
        gateway.change_plan(&request).await?;
        let (saved, _) = self.change(user, |s, now| s.undo_scheduled_change(now)).await?;
        Ok(saved)
    }

    pub(super) fn change_request(
        &self,
        current: &Subscription,
        plan: Plan,
        period: Option<BillingPeriod>,
        timing: PlanChangeTiming,
    ) -> Result<(&std::sync::Arc<dyn domain::subscriptions::PaymentGateway>, PlanChangeRequest), SubscriptionError>
    {
        let (Some(provider), Some(id)) = (current.provider, current.provider_subscription_id.clone()) else {
            return Err(PlanChangeError::NotRecurring.into());
        };
        let gateway = self.ports.gateways.get(provider)?;
        Ok((gateway, PlanChangeRequest { user_id: current.user_id, subscription_id: id, plan, period, timing }))
    }
}

/// A provider that cannot prorate (Mercado Pago) makes an immediate change unavailable.
pub(super) fn unavailable(current: &Subscription, err: PaymentError) -> SubscriptionError {
    match (&err, current.provider) {
        (PaymentError::Rejected { code, .. }, Some(provider)) if code == "proration_not_supported" => {
            SubscriptionError::ChangeUnavailable { provider }
        }
        _ => err.into(),
    }
}
