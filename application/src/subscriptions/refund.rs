//! Refunds made by an operator (backoffice `POST /backoffice/api/users/{id}/invoices/{invoice_id}/refund`):
//! a paid charge of the user is refunded in full, or in part (`amount`, up to what is left), at its
//! provider (Mercado Pago payment refund, Stripe refund of the invoice's payment) under an
//! idempotency key derived from the charge (and, for a part, from what was refunded before and
//! the amount), so two clicks or two operators make one refund. The refund entry is listed at once (the same
//! entry, under the same `refund:<key>`, that the provider's notification records); the plan's
//! consequence comes from that notification, as for a refund made in the provider's dashboard.

use domain::shared::ids::UserId;
use domain::subscriptions::{Charge, ChargeId, ChargeStatus, PaymentError, ProviderRefund, RefundRequest};
use domain::RepoError;
use rust_decimal::Decimal;

use super::{SubscriptionError, SubscriptionService};
use crate::{FieldCode, FieldError};

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
    /// `amount`: the part to refund (above 0, at most 2 decimals, at most what is left; `Invalid`
    /// naming `amount` otherwise); `None` refunds everything left.
    pub async fn refund_charge(
        &self,
        user: UserId,
        id: ChargeId,
        amount: Option<Decimal>,
    ) -> Result<RefundMade, SubscriptionError> {
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
        let listed = match self.ports.charges.find_by_dedup_key(&refund_key(&charge.dedup_key)).await {
            Ok(entry) => Some(entry),
            Err(RepoError::NotFound) => None,
            Err(err) => return Err(err.into()),
        };
        let before = listed.as_ref().map_or(Decimal::ZERO, |entry| -entry.amount);
        let left = charge.amount - before;
        if left <= Decimal::ZERO {
            return Err(SubscriptionError::AlreadyRefunded);
        }
        if let Some(a) = amount {
            if a <= Decimal::ZERO || a > left || a.normalize().scale() > 2 {
                let why =
                    format!("must be above 0, with at most 2 decimals, and at most {left} (what is left to refund)");
                return Err(SubscriptionError::Invalid(vec![FieldError::new("amount", FieldCode::Invalid, why)]));
            }
        }
        let gateway = self.ports.gateways.get(provider)?;
        // A full first refund keeps its historic key; a part names what came before and itself.
        let idempotency_key = match amount {
            None if before.is_zero() => format!("botfleet-refund-{}", charge.id),
            _ => format!("botfleet-refund-{}-{}-{}", charge.id, before.normalize(), amount.unwrap_or(left).normalize()),
        };
        let part = amount.filter(|a| *a < left).or((!before.is_zero()).then_some(left));
        let request = RefundRequest { payment_id, amount: part, currency: charge.currency.clone(), idempotency_key };
        let refund = gateway.refund(&request).await.map_err(|err| match err {
            PaymentError::Rejected { code, .. } => {
                SubscriptionError::NotRefundable(format!("the provider refused the refund ({code})"))
            }
            PaymentError::NotFound => {
                SubscriptionError::NotRefundable("the provider does not know this payment".into())
            }
            other => other.into(),
        })?;
        let now = self.ports.clock.now();
        let entry = charge.refund_entry_for(before + amount.unwrap_or(left), now);
        let entry = match self.ports.charges.create(&entry).await {
            Ok(saved) => saved,
            // Refunded in part before, or the provider's notification recorded it first: the
            // entry says what was refunded so far, never less.
            Err(RepoError::Duplicate { .. }) => {
                let mut listed = self.ports.charges.find_by_dedup_key(&entry.dedup_key).await?;
                if entry.amount < listed.amount {
                    listed.amount = entry.amount;
                    listed.updated_at = now;
                    listed = self.ports.charges.update(&listed).await?;
                }
                listed
            }
            Err(err) => return Err(err.into()),
        };
        self.tell_refunded(&charge, before + amount.unwrap_or(left)).await;
        Ok(RefundMade { entry, refund })
    }
}
