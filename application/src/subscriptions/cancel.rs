//! `POST /api/subscriptions/cancel`: Stripe cancels at the period end (access kept until then);
//! Mercado Pago cancels the preapproval and downgrades at once, and cancels the PIX of an upgrade
//! still waiting to be paid. Account deletion ends either at once
//! ([`SubscriptionService::cancel_now`]).

use domain::shared::ids::UserId;
use domain::subscriptions::{PaymentProvider, Subscription};

use super::{SubscriptionError, SubscriptionService};

impl SubscriptionService {
    /// Cancels the user's paid subscription at its provider and applies what the provider answers.
    /// Errors: `NothingToCancel`, `NotConfigured`, `ProviderUnavailable`, `Mismatch`.
    pub async fn cancel(&self, user: UserId) -> Result<Subscription, SubscriptionError> {
        let current = self.current(user).await?;
        let (Some(provider), Some(id)) = (current.provider, current.provider_subscription_id.clone()) else {
            return Err(SubscriptionError::NothingToCancel);
        };
        if current.cancel_at_period_end {
            return Ok(current);
        }
        let gateway = self.ports.gateways.get(provider)?;
        let reported = gateway.cancel(&id).await?;
        let (saved, _) = self.change(user, |s, now| s.apply_provider(&reported, now, now)).await?;
        if provider == PaymentProvider::Mercadopago {
            self.cancel_pending_upgrades(user, &id).await;
        }
        Ok(saved)
    }
}

impl SubscriptionService {
    /// Ends the user's paid subscription at its provider at once (account deletion): no further
    /// charge, FREE from now on. Returns the provider that billed it, or `None` when nothing was
    /// billed (FREE, or already ended: running it again never calls the provider twice).
    pub async fn cancel_now(&self, user: UserId) -> Result<Option<PaymentProvider>, SubscriptionError> {
        let current = self.current(user).await?;
        let (Some(provider), Some(id)) = (current.provider, current.provider_subscription_id.clone()) else {
            return Ok(None);
        };
        let gateway = self.ports.gateways.get(provider)?;
        let reported = gateway.cancel_now(&id).await?;
        self.change(user, |s, now| s.apply_provider(&reported, now, now)).await?;
        if provider == PaymentProvider::Mercadopago {
            self.cancel_pending_upgrades(user, &id).await;
        }
        Ok(Some(provider))
    }
}
