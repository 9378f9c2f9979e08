//! Refunds made by an operator (backoffice `POST /backoffice/api/users/{id}/invoices/{invoice_id}/refund`):
//! a paid charge of the user is refunded in full at its provider (Mercado Pago payment refund,
//! Stripe refund of the invoice's payment) under an idempotency key derived from the charge, so
//! two clicks or two operators make one refund. The refund entry is listed at once (the same
//! entry, under the same `refund:<key>`, that the provider's notification records); the plan's
//! consequence comes from that notification, as for a refund made in the provider's dashboard.

use domain::shared::ids::UserId;
use domain::subscriptions::{Charge, ChargeId, ChargeStatus, PaymentError, ProviderRefund, RefundRequest};
use domain::RepoError;

use super::{SubscriptionError, SubscriptionService};

/// A refund made.
#[derive(Debug)]
pub struct RefundMade {
    /// The refund entry on the invoice list (amount negated).
    pub entry: Charge,
    /// The provider's refund.
    pub refund: ProviderRefund,
}

/// The dedup key of the refund entry of the charge keyed `key`.
fn refund_key(key: &str) -> String {
    format!("refund:{key}")
}

impl SubscriptionService {
    /// Refunds `user`'s approved charge `id` in full at its provider. Errors: `ChargeNotFound`
    /// (also another user's), `NotRefundable` (not an approved payment; the provider refused),
    /// `AlreadyRefunded`, `NotConfigured`, `ProviderUnavailable`.
    pub async fn refund_charge(&self, user: UserId, id: ChargeId) -> Result<RefundMade, SubscriptionError> {
        let charge = match self.ports.charges.get(id).await {
            Ok(c) if c.user_id == user => c,
            Ok(_) | Err(RepoError::NotFound) => return Err(SubscriptionError::ChargeNotFound),
            Err(err) => return Err(err.into()),
        };
        let (Some(provider), Some(payment_id)) = (charge.provider, charge.provider_payment_id.clone()) else {
            return Err(SubscriptionError::NotRefundable("a comp or an unpaid charge has nothing to refund".into()));
        };
        if charge.status != ChargeStatus::Approved || charge.amount <= rust_decimal::Decimal::ZERO {
            return Err(SubscriptionError::NotRefundable("only an approved payment can be refunded".into()));
        }
        match self.ports.charges.find_by_dedup_key(&refund_key(&charge.dedup_key)).await {
            Ok(_) => return Err(SubscriptionError::AlreadyRefunded),
            Err(RepoError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
        let gateway = self.ports.gateways.get(provider)?;
        let request = RefundRequest { payment_id, idempotency_key: format!("botfleet-refund-{}", charge.id) };
        let refund = gateway.refund(&request).await.map_err(|err| match err {
            PaymentError::Rejected { code, .. } => {
                SubscriptionError::NotRefundable(format!("the provider refused the refund ({code})"))
            }
            PaymentError::NotFound => {
                SubscriptionError::NotRefundable("the provider does not know this payment".into())
            }
            other => other.into(),
        })?;
        let entry = charge.refund_entry(self.ports.clock.now());
        let entry = match self.ports.charges.create(&entry).await {
            Ok(saved) => saved,
            // The provider's notification recorded it first.
            Err(RepoError::Duplicate { .. }) => self.ports.charges.find_by_dedup_key(&entry.dedup_key).await?,
            Err(err) => return Err(err.into()),
        };
        Ok(RefundMade { entry, refund })
    }
}
