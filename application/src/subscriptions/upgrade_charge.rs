//! PRO -> MAX on a Mercado Pago card subscription (preapproval): Mercado Pago does not prorate,
//! so the difference for the rest of the period paid, `(new price - old price) * remaining /
//! period length` (seconds; 30 or 365 days; half-up to the centavo), is charged once by PIX. The
//! charge is recorded pending before the provider is called (a second request while it can be
//! paid hands out the same PIX); the plan changes when the payment is approved (see
//! `upgrade_settle`). Below the minimum charge the change is made at once, without a payment.

use domain::shared::ids::UserId;
use domain::subscriptions::{
    chargeable, upgrade_difference, BillingPeriod, Charge, ChargeStatus, NewCharge, Payer, PaymentMethod,
    PaymentProvider, Plan, PlanChangeError, PlanChangeKind, PlanChangeTiming, Subscription, Transition, UpgradeOf,
};
use domain::PageRequest;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::prepaid::{PIX_VALIDITY, REUSE_MARGIN};
use super::{SubscriptionError, SubscriptionService};

/// What `POST /api/subscriptions/change` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanChangeOutcome {
    /// The change is made (an upgrade at once, a downgrade scheduled).
    Changed(Subscription),
    /// The upgrade waits for the payment of this pending charge (PIX) of the difference.
    AwaitingPayment(Charge),
}

/// The difference of an upgrade of a preapproval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Difference {
    /// The preapproval's billing period (the prices compared are this period's).
    pub period: BillingPeriod,
    /// The difference for the time left, rounded.
    pub amount: Decimal,
    /// What is charged: `amount`, or zero below the minimum charge.
    pub charged: Decimal,
}

impl SubscriptionService {
    /// Whether an upgrade of `current` keeping its period is made by a one-off payment of the
    /// difference (Mercado Pago card subscriptions).
    pub(super) fn pays_difference(current: &Subscription, kind: PlanChangeKind, period_changes: bool) -> bool {
        kind == PlanChangeKind::Upgrade && !period_changes && current.provider == Some(PaymentProvider::Mercadopago)
    }

    /// The difference of upgrading `current` to `to`, as of `at`.
    pub(super) async fn difference(
        &self,
        current: &Subscription,
        to: Plan,
        at: OffsetDateTime,
    ) -> Result<Difference, SubscriptionError> {
        let (Some(provider), Some(id)) = (current.provider, current.provider_subscription_id.as_deref()) else {
            return Err(PlanChangeError::NotRecurring.into());
        };
        let end = current.current_period_end.ok_or(PlanChangeError::NoPeriodEnd)?;
        let period = self.ports.gateways.get(provider)?.billing_period(id).await?;
        let (Some(from_price), Some(to_price)) = (self.price(current.plan, period), self.price(to, period)) else {
            return Err(PlanChangeError::NotAPaidPlan(current.plan).into());
        };
        let amount = upgrade_difference(from_price, to_price, end - at, period.length());
        Ok(Difference { period, amount, charged: chargeable(amount) })
    }

    /// Changes the plan (see [`Self::change_plan`]); an upgrade of a Mercado Pago card subscription
    /// charges the difference by PIX first, paid by `email`, computed as of `proration_date`.
    /// Errors: as `change_plan`, and `ProviderUnavailable` when the PIX cannot be created.
    pub async fn request_plan_change(
        &self,
        user: UserId,
        to: Plan,
        period: Option<BillingPeriod>,
        proration_date: Option<OffsetDateTime>,
        email: &str,
    ) -> Result<PlanChangeOutcome, SubscriptionError> {
        let current = self.current(user).await?;
        if current.provider != Some(PaymentProvider::Mercadopago) {
            return self.change_plan(user, to, period, proration_date).await.map(PlanChangeOutcome::Changed);
        }
        let target = self.target(&current, to, period).await?;
        if !Self::pays_difference(&current, target.kind, target.from.is_some()) {
            return self.change_plan(user, to, period, proration_date).await.map(PlanChangeOutcome::Changed);
        }
        let at = self.proration_date(proration_date)?;
        let id = current.provider_subscription_id.clone().ok_or(PlanChangeError::NotRecurring)?;
        self.one_checkout_at_a_time(user, self.upgrade_by_difference(&current, to, id, at, email)).await
    }

    /// The Mercado Pago upgrade, under the user's checkout lease: the pending difference, or none
    /// due, or a new PIX of it.
    async fn upgrade_by_difference(
        &self,
        current: &Subscription,
        to: Plan,
        id: String,
        at: OffsetDateTime,
        email: &str,
    ) -> Result<PlanChangeOutcome, SubscriptionError> {
        let user = current.user_id;
        if let Some(pending) = self.pending_upgrade(user, &id, to).await? {
            return Ok(PlanChangeOutcome::AwaitingPayment(pending));
        }
        let difference = self.difference(current, to, at).await?;
        if difference.charged.is_zero() {
            // Too little to charge: the next charges bill the new plan, which applies now.
            let (gateway, request) = self.change_request(current, to, None, PlanChangeTiming::NextPeriod)?;
            gateway.change_plan(&request).await?;
            let (saved, _) = self
                .change(user, |s, now| if s.plan >= to { Ok(Transition::Unchanged) } else { s.upgrade_now(to, now) })
                .await?;
            return Ok(PlanChangeOutcome::Changed(saved));
        }
        let charge = self.charge_difference(current, to, id, difference, email).await?;
        Ok(PlanChangeOutcome::AwaitingPayment(charge))
    }

    /// The pending difference of an upgrade of preapproval `id` to `to` that can still be paid.
    async fn pending_upgrade(&self, user: UserId, id: &str, to: Plan) -> Result<Option<Charge>, SubscriptionError> {
        let now = self.ports.clock.now();
        let recent = self.ports.charges.list_for_user(user, PageRequest::new(0, 20)).await?;
        Ok(recent.items.into_iter().find(|c| {
            c.status == ChargeStatus::Pending
                && c.plan == to
                && c.upgrade.as_ref().is_some_and(|u| u.subscription_id == id)
                && c.provider_payment_id.is_some()
                && c.expires_at > now + REUSE_MARGIN
        }))
    }

    /// Records the charge of the difference (pending), then creates its PIX at Mercado Pago.
    async fn charge_difference(
        &self,
        current: &Subscription,
        to: Plan,
        subscription_id: String,
        difference: Difference,
        email: &str,
    ) -> Result<Charge, SubscriptionError> {
        // Not configured: refused before anything is recorded.
        self.ports.gateways.get(PaymentProvider::Mercadopago)?;
        let now = self.ports.clock.now();
        let new = NewCharge {
            user_id: current.user_id,
            method: PaymentMethod::Pix,
            plan: to,
            period: difference.period,
            amount: difference.charged,
            // Never payable after the period it is the difference for (the renewal bills the
            // old price for the next one). At least 9 hours are left whenever R$ 1,00 is due.
            expires_at: current.current_period_end.map_or(now + PIX_VALIDITY, |end| end.min(now + PIX_VALIDITY)),
        };
        let upgrade = UpgradeOf { from: current.plan, subscription_id, amount_updated: false };
        let charge = self.ports.charges.create(&Charge { upgrade: Some(upgrade), ..Charge::pending(new, now) }).await?;
        let payer =
            Payer { email: email.to_owned(), first_name: None, last_name: None, identification: None, address: None };
        let description = format!("botfleet {} -> {}: the difference for the rest of the period", current.plan, to);
        self.pay_at_mercadopago(charge, description, payer).await
    }
}
