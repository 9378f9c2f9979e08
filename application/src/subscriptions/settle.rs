//! Settling one-off charges (PIX, boleto): an approved payment grants its period through the
//! subscription's `period_paid` transition (each charge at most once), an expired or refused one
//! changes nothing but the charge, a refunded or charged-back one takes its period back
//! (`period_refunded`) and is listed as a negative entry; reconciliation searches the provider by each pending charge's
//! external reference, so a lost notification is repaired, and expires the charges never paid.

use domain::subscriptions::{
    parse_charge_reference, Charge, ChargeStatus, PaidPeriod, PaymentMethod, PaymentProvider, ProviderPayment,
    ProviderPaymentStatus,
};
use domain::{PageRequest, RepoError};
use time::{Duration, OffsetDateTime};

use super::webhook::{Applied, WebhookOutcome};
use super::{SubscriptionError, SubscriptionService};

/// After its expiry, a pending PIX is still looked for this long (a payment made at the last
/// second is credited a moment later).
const PIX_GRACE: Duration = Duration::hours(1);
/// Boleto payments are credited up to 48 business hours after payment: looked for 5 days more.
const BOLETO_GRACE: Duration = Duration::days(5);
/// A prepaid period's owner is reminded this long before it ends.
pub(crate) const REMINDER_WINDOW: Duration = Duration::days(3);

/// What one pass over the pending charges did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChargeReport {
    /// Pending charges looked at.
    pub checked: u64,
    /// Charges approved (period granted) or expired.
    pub settled: u64,
    /// Charges whose provider could not be read (left for the next run).
    pub failed: u64,
}

impl SubscriptionService {
    /// Applies what the provider says of a payment of one of our charges; `None` when the payment
    /// is not a charge's (a preapproval's, say).
    pub(crate) async fn settle_payment(&self, payment: &ProviderPayment) -> Result<Option<Applied>, SubscriptionError> {
        let Some(id) = payment.external_reference.as_deref().and_then(parse_charge_reference) else {
            return Ok(None);
        };
        let charge = match self.ports.charges.get(id).await {
            Ok(charge) => charge,
            Err(RepoError::NotFound) => {
                return Ok(Some((WebhookOutcome::Ignored, payment.user_id, Some("unknown charge".into()))))
            }
            Err(err) => return Err(err.into()),
        };
        if charge.is_upgrade() {
            return self.settle_upgrade(charge, payment).await.map(Some);
        }
        let user = Some(charge.user_id);
        match payment.status {
            ProviderPaymentStatus::Pending => {
                Ok(Some((WebhookOutcome::Unchanged, user, Some("payment pending".into()))))
            }
            ProviderPaymentStatus::Failed => {
                if charge.status == ChargeStatus::Pending {
                    self.close_charge(charge, ChargeStatus::Expired, None).await?;
                }
                Ok(Some((WebhookOutcome::Unchanged, user, Some("payment not made; nothing granted".into()))))
            }
            ProviderPaymentStatus::Approved if payment.amount < charge.amount => {
                tracing::error!(charge = %charge.id, paid = %payment.amount, price = %charge.amount, "underpaid charge");
                Ok(Some((WebhookOutcome::Ignored, user, Some("paid amount below the charge".into()))))
            }
            ProviderPaymentStatus::Approved if payment.refunded > rust_decimal::Decimal::ZERO => {
                let id = charge.id;
                let granted = if charge.status == ChargeStatus::Pending {
                    Some(self.grant(charge, payment).await?)
                } else {
                    None
                };
                let charge = self.ports.charges.get(id).await?;
                let recorded = self.partial_refund(charge, payment.refunded).await?;
                Ok(Some(match granted {
                    Some(granted) if granted.0 != WebhookOutcome::Unchanged => granted,
                    _ => recorded,
                }))
            }
            ProviderPaymentStatus::Approved => self.grant(charge, payment).await.map(Some),
            ProviderPaymentStatus::Refunded => self.refund(charge).await.map(Some),
        }
    }

    /// A refunded (or charged back) approved charge: the period it paid for is taken back
    /// (`period_refunded`: the plan ends when it was the running period), then the refund is
    /// recorded on the invoice list once. In this order, so a redelivery after a failure still
    /// applies the plan change.
    async fn refund(&self, charge: Charge) -> Result<Applied, SubscriptionError> {
        let user = charge.user_id;
        if charge.status != ChargeStatus::Approved {
            return Ok((WebhookOutcome::Unchanged, Some(user), Some("refund of a charge never approved".into())));
        }
        let (_, transition) =
            self.change(user, |s, now| Ok::<_, SubscriptionError>(s.period_refunded(&charge, now))).await?;
        let recorded = match self.ports.charges.create(&charge.refund_entry(self.ports.clock.now())).await {
            Ok(_) => {
                self.tell_refunded(&charge, charge.amount).await;
                true
            }
            // Listed before (a partial refund): raised to the whole amount.
            Err(RepoError::Duplicate { .. }) => {
                let amount = charge.amount;
                self.partial_refund(charge, amount).await?.0 == WebhookOutcome::Applied
            }
            Err(err) => return Err(err.into()),
        };
        let note = if transition.changed() { "refunded: the period it paid for ended" } else { "refund recorded" };
        let outcome =
            if recorded || transition.changed() { WebhookOutcome::Applied } else { WebhookOutcome::Unchanged };
        Ok((outcome, Some(user), Some(note.into())))
    }

    async fn grant(&self, charge: Charge, payment: &ProviderPayment) -> Result<Applied, SubscriptionError> {
        let now = self.ports.clock.now();
        let paid = PaidPeriod {
            charge: charge.id,
            // A charge named by an external reference is a Mercado Pago one-off payment.
            provider: charge.provider.unwrap_or(PaymentProvider::Mercadopago),
            plan: charge.plan,
            period: charge.period,
            paid_at: payment.approved_at.unwrap_or(now).min(now),
            amount: (payment.amount, charge.currency.clone()),
        };
        let user = charge.user_id;
        let (saved, transition) = match self.change(user, |s, now| s.period_paid(&paid, now)).await {
            Ok(done) => done,
            Err(SubscriptionError::Mismatch(err)) => {
                tracing::error!(charge = %charge.id, error = %err, "a paid charge could not be applied");
                return Ok((WebhookOutcome::Ignored, Some(user), Some(err.to_string())));
            }
            Err(err) => return Err(err),
        };
        if charge.status == ChargeStatus::Pending {
            let period = transition.changed().then_some(saved.current_period_end).flatten();
            self.close_charge(charge, ChargeStatus::Approved, Some((paid.paid_at, period))).await?;
        }
        if transition.changed() {
            Ok((WebhookOutcome::Applied, Some(user), Some(format!("{} prepaid", saved.plan).to_lowercase())))
        } else {
            Ok((WebhookOutcome::Unchanged, Some(user), Some("charge already applied".into())))
        }
    }

    /// Records a charge's outcome, re-reading it on a version conflict.
    async fn close_charge(
        &self,
        mut charge: Charge,
        status: ChargeStatus,
        paid: Option<(OffsetDateTime, Option<OffsetDateTime>)>,
    ) -> Result<(), SubscriptionError> {
        for _ in 0..3 {
            if charge.status != ChargeStatus::Pending {
                return Ok(());
            }
            let mut closed = charge.clone();
            closed.status = status;
            closed.updated_at = self.ports.clock.now();
            if let Some((paid_at, end)) = paid {
                closed.paid_at = Some(paid_at);
                closed.period_end = end;
                closed.period_start = end.map(|end| end - charge.period.length());
            }
            match self.ports.charges.update(&closed).await {
                Ok(_) => {
                    // An expired charge never used its coupon: the user may use it again.
                    if let (ChargeStatus::Expired, Some(code)) = (status, &closed.coupon) {
                        self.release_coupon_code(code, closed.user_id).await;
                    }
                    return Ok(());
                }
                Err(RepoError::Conflict) => charge = self.ports.charges.get(charge.id).await?,
                Err(err) => return Err(err.into()),
            }
        }
        Err(RepoError::Conflict.into())
    }

    /// One pass over the pending charges: each is searched at the provider by its reference.
    pub async fn reconcile_charges(&self) -> Result<ChargeReport, SubscriptionError> {
        let mut report = ChargeReport::default();
        let mut offset = 0;
        loop {
            let page = self.ports.charges.list_pending(PageRequest::new(offset, 100)).await?;
            let count = page.items.len() as u64;
            for charge in page.items {
                report.checked += 1;
                match self.reconcile_charge(charge).await {
                    Ok(true) => report.settled += 1,
                    Ok(false) => offset += 1,
                    Err(err) => {
                        offset += 1;
                        report.failed += 1;
                        tracing::warn!(error = ?err, "reconciling a charge failed");
                    }
                }
            }
            if count == 0 || offset >= page.total {
                return Ok(report);
            }
        }
    }

    async fn reconcile_charge(&self, charge: Charge) -> Result<bool, SubscriptionError> {
        let gateway = self.ports.gateways.get(charge.provider.unwrap_or(PaymentProvider::Mercadopago))?.clone();
        let found = gateway.search_payments(&charge.external_reference()).await?;
        let best = found
            .iter()
            .find(|p| p.status == ProviderPaymentStatus::Approved)
            .or_else(|| found.iter().find(|p| p.status == ProviderPaymentStatus::Pending))
            .or_else(|| found.first());
        if let Some(payment) = best.filter(|p| p.status != ProviderPaymentStatus::Pending) {
            self.settle_payment(payment).await?;
            // Settled only when it left `pending` (an underpaid one stays, for an operator).
            return Ok(self.ports.charges.get(charge.id).await?.status != ChargeStatus::Pending);
        }
        let grace = if charge.method == PaymentMethod::Boleto { BOLETO_GRACE } else { PIX_GRACE };
        if self.ports.clock.now() > charge.expires_at + grace {
            self.close_charge(charge, ChargeStatus::Expired, None).await?;
            return Ok(true);
        }
        Ok(false)
    }
}
