//! Settling the one-off difference of a Mercado Pago upgrade (see `upgrade_charge`). Approved (by
//! a `payment` notification or reconciliation): the preapproval bills the new plan from the next
//! charge on (`PUT /preapproval/{id}`), then the subscription takes the new plan at once, the
//! period end unchanged. When the `PUT` fails the plan still changes (the user paid); the charge
//! remembers that the amount is not updated yet, and the next read of the preapproval (its
//! notification, reconciliation) sends it again before applying what the provider says, so the
//! paid plan is never taken back by a preapproval still naming the old one. Expired or rejected:
//! nothing changes. A subscription cancelled while its upgrade's PIX is pending cancels that PIX at
//! Mercado Pago, so it can no longer be paid. Paid after the preapproval was cancelled all the
//! same (between the two calls): listed as paid and refunded in full at once, the plan unchanged.

use domain::shared::ids::UserId;
use domain::subscriptions::{
    Charge, ChargeStatus, PaymentProvider, PlanChangeRequest, PlanChangeTiming, ProviderPayment, ProviderPaymentStatus,
    ProviderSubscription, UpgradeOf,
};
use domain::{PageRequest, RepoError};
use time::OffsetDateTime;

use super::webhook::{Applied, WebhookOutcome};
use super::{SubscriptionError, SubscriptionService};

impl SubscriptionService {
    /// Applies what Mercado Pago says of the payment of an upgrade's difference.
    pub(super) async fn settle_upgrade(
        &self,
        charge: Charge,
        payment: &ProviderPayment,
    ) -> Result<Applied, SubscriptionError> {
        let user = Some(charge.user_id);
        let note = |outcome, why: &str| Ok((outcome, user, Some(why.to_owned())));
        match payment.status {
            ProviderPaymentStatus::Pending => note(WebhookOutcome::Unchanged, "payment pending"),
            ProviderPaymentStatus::Failed => {
                if charge.status == ChargeStatus::Pending {
                    self.close_upgrade(charge, ChargeStatus::Expired, None, false).await?;
                }
                note(WebhookOutcome::Unchanged, "upgrade not paid; the plan is unchanged")
            }
            // The plan is kept: an operator who refunds the difference decides about the plan.
            ProviderPaymentStatus::Refunded if charge.status == ChargeStatus::Approved => {
                let amount = charge.amount;
                self.partial_refund(charge, amount).await
            }
            ProviderPaymentStatus::Refunded => note(WebhookOutcome::Unchanged, "refund of a charge never approved"),
            ProviderPaymentStatus::Approved if payment.amount < charge.amount => {
                let (paid, price) = (payment.amount, charge.amount);
                tracing::error!(charge = %charge.id, %paid, %price, "underpaid upgrade");
                note(WebhookOutcome::Ignored, "paid amount below the charge")
            }
            ProviderPaymentStatus::Approved if charge.status != ChargeStatus::Pending => {
                note(WebhookOutcome::Unchanged, "charge already applied")
            }
            ProviderPaymentStatus::Approved => self.apply_upgrade(charge, payment).await,
        }
    }

    async fn apply_upgrade(&self, charge: Charge, payment: &ProviderPayment) -> Result<Applied, SubscriptionError> {
        let Some(upgrade) = charge.upgrade.clone() else { return Ok((WebhookOutcome::Ignored, None, None)) };
        let now = self.ports.clock.now();
        let paid_at = payment.approved_at.unwrap_or(now).min(now);
        let user = charge.user_id;
        let current = self.current(user).await?;
        if current.provider_subscription_id.as_deref() != Some(upgrade.subscription_id.as_str()) || !current.is_active()
        {
            let id = charge.id;
            self.close_upgrade(charge, ChargeStatus::Approved, Some((paid_at, None)), false).await?;
            return Ok(match self.refund_charge(user, id, None).await {
                Ok(_) => {
                    tracing::warn!(charge = %id, %user, "an upgrade paid after its subscription ended was refunded");
                    let why = "paid after the subscription ended; refunded in full";
                    (WebhookOutcome::Applied, Some(user), Some(why.into()))
                }
                Err(err) => {
                    tracing::error!(charge = %id, %user, error = %err,
                        "an upgrade paid after its subscription ended could not be refunded: refund it by hand");
                    let why = "paid after the subscription ended; the refund failed, left for an operator";
                    (WebhookOutcome::Ignored, Some(user), Some(why.into()))
                }
            });
        }
        let updated = self.update_amount(user, &upgrade, charge.plan).await.is_ok();
        let amount = (payment.amount, charge.currency.as_str());
        let (saved, transition) = self
            .change(user, |s, now| s.upgrade_paid(charge.id, charge.plan, &upgrade.subscription_id, amount, now))
            .await?;
        let end = saved.current_period_end;
        self.close_upgrade(charge, ChargeStatus::Approved, Some((paid_at, end)), updated).await?;
        let outcome = if transition.changed() { WebhookOutcome::Applied } else { WebhookOutcome::Unchanged };
        Ok((outcome, Some(user), Some(format!("upgraded to {}", saved.plan).to_lowercase())))
    }

    /// Cancels at Mercado Pago the pending PIX of every upgrade of preapproval `id` (which is being
    /// cancelled), and lists each expired: a plan that ended cannot be upgraded. A PIX that cannot
    /// be cancelled (paid a moment before, or Mercado Pago unreachable) is logged; if it was paid,
    /// its notification refunds it (see [`Self::settle_upgrade`]).
    pub(super) async fn cancel_pending_upgrades(&self, user: UserId, id: &str) {
        let recent = match self.ports.charges.list_for_user(user, PageRequest::new(0, 20)).await {
            Ok(page) => page.items,
            Err(err) => {
                tracing::error!(%user, error = ?err, "reading the pending upgrades of a cancelled subscription failed");
                return;
            }
        };
        let pending = recent.into_iter().filter(|c| {
            c.status == ChargeStatus::Pending && c.upgrade.as_ref().is_some_and(|u| u.subscription_id == id)
        });
        for charge in pending {
            let Some(payment) = charge.provider_payment_id.clone() else { continue };
            let closed = async {
                let gateway = self.ports.gateways.get(PaymentProvider::Mercadopago)?;
                gateway.cancel_payment(&payment).await?;
                self.close_upgrade(charge, ChargeStatus::Expired, None, false).await
            };
            if let Err(err) = closed.await {
                tracing::warn!(%user, %payment, error = %err,
                    "the pending PIX of an upgrade could not be cancelled with its subscription; refunded if paid");
            }
        }
    }

    /// `PUT /preapproval/{id}`: the next charges bill `plan`. A failure is logged and returned.
    async fn update_amount(
        &self,
        user: UserId,
        upgrade: &UpgradeOf,
        plan: domain::subscriptions::Plan,
    ) -> Result<ProviderSubscription, SubscriptionError> {
        let gateway = self.ports.gateways.get(PaymentProvider::Mercadopago)?;
        let request = PlanChangeRequest {
            user_id: user,
            subscription_id: upgrade.subscription_id.clone(),
            plan,
            period: None,
            timing: PlanChangeTiming::NextPeriod,
        };
        gateway.change_plan(&request).await.map_err(|err| {
            tracing::warn!(error = ?err, user = %user, "updating the preapproval's amount after an upgrade failed");
            err.into()
        })
    }

    /// Records the charge's outcome (the period it covers: from the payment to the period end),
    /// re-reading it on a version conflict.
    async fn close_upgrade(
        &self,
        mut charge: Charge,
        status: ChargeStatus,
        paid: Option<(OffsetDateTime, Option<OffsetDateTime>)>,
        amount_updated: bool,
    ) -> Result<(), SubscriptionError> {
        for _ in 0..3 {
            let mut closed = charge.clone();
            closed.status = status;
            closed.updated_at = self.ports.clock.now();
            if let Some(upgrade) = closed.upgrade.as_mut() {
                upgrade.amount_updated |= amount_updated;
            }
            if let Some((paid_at, end)) = paid {
                closed.paid_at = Some(paid_at);
                closed.period_start = Some(paid_at);
                closed.period_end = end;
            }
            match self.ports.charges.update(&closed).await {
                Ok(_) => return Ok(()),
                Err(RepoError::Conflict) => charge = self.ports.charges.get(charge.id).await?,
                Err(err) => return Err(err.into()),
            }
        }
        Err(RepoError::Conflict.into())
    }

    /// Before applying what Mercado Pago says of `user`'s preapproval: when it still names a plan
    /// below ours because the amount update after a paid upgrade failed, the update is sent again
    /// and the preapproval it answers is applied instead. Errors when it fails again, so the paid
    /// plan is not taken back (the notification is redelivered, reconciliation retries).
    pub(super) async fn with_upgrade_amount(
        &self,
        user: UserId,
        p: &ProviderSubscription,
    ) -> Result<Option<ProviderSubscription>, SubscriptionError> {
        if p.provider != PaymentProvider::Mercadopago {
            return Ok(None);
        }
        let current = self.ports.subscriptions.get_for_user(user).await?;
        let behind = p.plan.is_some_and(|plan| plan < current.plan);
        if !behind || current.scheduled_change.is_some() || current.provider_subscription_id.as_deref() != Some(&p.id) {
            return Ok(None);
        }
        let recent = self.ports.charges.list_for_user(user, PageRequest::new(0, 20)).await?;
        let Some((charge, upgrade)) = recent.items.into_iter().find_map(|c| match c.upgrade.clone() {
            Some(u) if c.status == ChargeStatus::Approved && c.plan == current.plan && u.subscription_id == p.id => {
                (!u.amount_updated).then_some((c, u))
            }
            _ => None,
        }) else {
            return Ok(None);
        };
        let updated = self.update_amount(user, &upgrade, charge.plan).await?;
        self.close_upgrade(charge, ChargeStatus::Approved, None, true).await?;
        Ok(Some(updated))
    }
}
