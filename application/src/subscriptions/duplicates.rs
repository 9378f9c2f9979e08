//! A second paid subscription of one user. The checkout refuses a user who already pays one, but
//! a checkout opened before the first was paid (another tab, a link kept from yesterday) can
//! still be paid at the provider, which then bills both every month. When the provider reports a
//! live subscription of a user who already pays another one that grants its plan, the domain
//! refuses to activate it (`TransitionError::SecondSubscription`, under the versioned write, so
//! two activations at once cannot both land); it is then cancelled at once at its provider
//! (nothing more billed) and its first payment refunded in full. The subscription the user
//! already had stays as it was.

use domain::shared::ids::UserId;
use domain::subscriptions::{Activation, PaymentError, RefundRequest};

use super::webhook::{Applied, WebhookOutcome};
use super::{SubscriptionError, SubscriptionService};

/// A payment to give back: the provider's payment (a Mercado Pago payment id, a Stripe invoice)
/// and its currency (ISO 4217, upper case).
pub(super) struct PaidBy<'a> {
    pub(super) payment_id: &'a str,
    pub(super) currency: &'a str,
}

impl SubscriptionService {
    /// Whether `a` would give `user` a second paid subscription (`Subscription::is_second`), for
    /// a subscription that is not activated (no longer live): a live one's activation is refused
    /// by the domain under the versioned write, so two at once cannot both land.
    pub(super) async fn is_duplicate(&self, user: UserId, a: &Activation) -> Result<bool, SubscriptionError> {
        Ok(self.current(user).await?.is_second(&a.subscription_id))
    }

    /// Ends the second subscription `a`: cancelled at once at its provider, then `paid` (its
    /// first payment, when there is one) refunded in full under a key of its own, so a
    /// redelivered notification refunds nothing twice. A provider that cannot be reached is an
    /// error (the notification is processed again); a refund the provider refuses (already
    /// refunded, say) is logged for an operator.
    pub(super) async fn end_duplicate(
        &self,
        user: UserId,
        a: &Activation,
        paid: Option<PaidBy<'_>>,
    ) -> Result<Applied, SubscriptionError> {
        let gateway = self.ports.gateways.get(a.provider)?;
        match gateway.cancel_now(&a.subscription_id).await {
            Ok(_) | Err(PaymentError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
        let mut note = "a second subscription: cancelled at once".to_owned();
        if let Some(paid) = paid {
            let request = RefundRequest {
                payment_id: paid.payment_id.to_owned(),
                amount: None,
                currency: paid.currency.to_owned(),
                idempotency_key: format!("botfleet-duplicate-{}", paid.payment_id),
            };
            match gateway.refund(&request).await {
                Ok(refund) => {
                    self.tell_second_refunded(user, a, &paid, &refund).await;
                    note.push_str(", its payment refunded");
                }
                Err(PaymentError::Unavailable(err)) => return Err(PaymentError::Unavailable(err).into()),
                Err(err) => {
                    tracing::error!(%user, subscription = %a.subscription_id, payment = paid.payment_id, error = %err,
                        "the payment of a second subscription could not be refunded; refund it by hand");
                    note.push_str(", its payment not refunded (see the log)");
                }
            }
        }
        tracing::warn!(%user, subscription = %a.subscription_id, "{note}");
        Ok((WebhookOutcome::Applied, Some(user), Some(note)))
    }
}
