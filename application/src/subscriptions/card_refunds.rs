//! Refunds and chargebacks of card payments, from the provider's notification: Stripe
//! `charge.refunded` / `charge.dispute.created`, and a Mercado Pago preapproval payment read back
//! `refunded` or `charged_back`. The payment is found on the invoice list (Stripe: the invoice the
//! payment intent paid, or the one the payload names; Mercado Pago: the payment id), checked
//! against the user's customer id, and recorded as a refund entry of the amount refunded so far
//! (negative, one entry per payment however often notified, raised when a partial refund grows).
//! A full refund (or a dispute) of the period running now ends the plan: the provider
//! subscription is cancelled at once (nothing more is billed), then `card_period_refunded` makes
//! the user FREE and the limits are enforced. A partial refund changes nothing on the plan.

use domain::subscriptions::{
    CardRefund, Charge, PaymentError, PaymentGateway, PaymentProvider, ProviderPayment, Subscription,
};
use domain::RepoError;
use rust_decimal::Decimal;

use super::webhook::{Applied, WebhookOutcome};
use super::{SubscriptionError, SubscriptionService};

fn ignored(user: Option<domain::shared::ids::UserId>, why: &str) -> Applied {
    (WebhookOutcome::Ignored, user, Some(why.to_owned()))
}

impl SubscriptionService {
    /// A Stripe card payment refunded or disputed.
    pub(super) async fn stripe_card_refunded(
        &self,
        gateway: &dyn PaymentGateway,
        refund: &CardRefund,
    ) -> Result<Applied, SubscriptionError> {
        let invoice = match (&refund.invoice_id, &refund.payment_intent) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(intent)) => gateway.invoice_of_payment(intent).await?,
            (None, None) => None,
        };
        let Some(invoice) = invoice else {
            return Ok(ignored(None, "a refund of a payment that paid no invoice"));
        };
        let charge =
            match self.ports.charges.find_by_dedup_key(&Charge::card_key(PaymentProvider::Stripe, &invoice)).await {
                Ok(charge) => charge,
                Err(RepoError::NotFound) => return Ok(ignored(None, "a refund of an invoice botfleet never listed")),
                Err(err) => return Err(err.into()),
            };
        if let Some(customer) = &refund.customer_id {
            let owner = self.ports.subscriptions.get_for_user(charge.user_id).await?;
            if owner.provider_customer_id.as_deref().is_some_and(|c| c != customer) {
                return Ok(ignored(Some(charge.user_id), "the refunded payment's customer is not the invoice's"));
            }
        }
        self.card_refund(charge, refund.refunded, refund.is_full()).await
    }

    /// A Mercado Pago preapproval payment refunded in full or charged back.
    pub(super) async fn preapproval_payment_refunded(
        &self,
        payment: &ProviderPayment,
    ) -> Result<Applied, SubscriptionError> {
        let key = Charge::card_key(PaymentProvider::Mercadopago, &payment.id);
        let charge = match self.ports.charges.find_by_dedup_key(&key).await {
            Ok(charge) => charge,
            Err(RepoError::NotFound) => {
                return Ok(ignored(payment.user_id, "a refund of a payment botfleet never listed"))
            }
            Err(err) => return Err(err.into()),
        };
        let amount = charge.amount;
        self.card_refund(charge, amount, true).await
    }

    /// Ends the plan when a full refund covers the running period, then records the refund.
    /// A Mercado Pago preapproval payment still `approved` with `transaction_amount_refunded`: a
    /// partial refund, recorded (the plan is kept).
    pub(super) async fn preapproval_payment_partly_refunded(
        &self,
        payment: &ProviderPayment,
    ) -> Result<Applied, SubscriptionError> {
        let key = Charge::card_key(PaymentProvider::Mercadopago, &payment.id);
        match self.ports.charges.find_by_dedup_key(&key).await {
            Ok(charge) => self.card_refund(charge, payment.refunded, false).await,
            Err(RepoError::NotFound) => Ok(ignored(payment.user_id, "a refund of a payment botfleet never listed")),
            Err(err) => Err(err.into()),
        }
    }

    /// A partial refund of an approved one-off charge (PIX, boleto): its refund entry says
    /// `refunded` so far; the plan is kept.
    pub(super) async fn partial_refund(&self, charge: Charge, refunded: Decimal) -> Result<Applied, SubscriptionError> {
        self.card_refund(charge, refunded, false).await
    }

    async fn card_refund(&self, charge: Charge, refunded: Decimal, full: bool) -> Result<Applied, SubscriptionError> {
        let user = charge.user_id;
        let mut ended = false;
        if full {
            let current = self.current(user).await?;
            if current.clone().card_period_refunded(&charge, self.ports.clock.now()).changed() {
                self.cancel_billing(&current).await?;
                let (_, t) = self
                    .change(user, |s, now| Ok::<_, SubscriptionError>(s.card_period_refunded(&charge, now)))
                    .await?;
                ended = t.changed();
            }
        }
        let now = self.ports.clock.now();
        let entry = charge.refund_entry_for(refunded, now);
        let recorded = match self.ports.charges.create(&entry).await {
            Ok(_) => true,
            Err(RepoError::Duplicate { .. }) => {
                let mut listed = self.ports.charges.find_by_dedup_key(&entry.dedup_key).await?;
                // Amounts are negative: a larger refund so far is a smaller number.
                let grew = entry.amount < listed.amount;
                if grew {
                    listed.amount = entry.amount;
                    listed.updated_at = now;
                    self.ports.charges.update(&listed).await?;
                }
                grew
            }
            Err(err) => return Err(err.into()),
        };
        // Told at every delivery, not only when recorded: the log keeps one notice per amount,
        // and a delivery that failed after the write is told when it comes again.
        self.tell_refunded(&charge, refunded).await;
        let note = match (ended, full) {
            (true, _) => "refunded: the period it paid for ended",
            (false, true) => "refund recorded",
            (false, false) => "partial refund recorded",
        };
        let outcome = if ended || recorded { WebhookOutcome::Applied } else { WebhookOutcome::Unchanged };
        Ok((outcome, Some(user), Some(note.into())))
    }

    /// Cancels the provider subscription at once, so nothing more is billed for a plan that ended.
    async fn cancel_billing(&self, current: &Subscription) -> Result<(), SubscriptionError> {
        let (Some(provider), Some(id)) = (current.provider, current.provider_subscription_id.as_deref()) else {
            return Ok(());
        };
        match self.ports.gateways.get(provider)?.cancel_now(id).await {
            Ok(_) | Err(PaymentError::NotFound) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}
