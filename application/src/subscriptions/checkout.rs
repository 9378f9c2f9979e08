//! `POST /api/subscriptions/checkout`: starts a hosted checkout at Stripe or Mercado Pago. The
//! plan changes only when the provider confirms payment (webhook or reconciliation), never here.

use domain::shared::ids::UserId;
use domain::subscriptions::{CheckoutRequest, PaymentProvider, Plan};
use sha2::{Digest, Sha256};

use super::SubscriptionError;
use super::{provider_name, SubscriptionService};
use crate::FieldError;

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutInput {
    /// Who.
    pub user_id: UserId,
    /// Their e-mail (the payer's).
    pub email: String,
    /// PRO or MAX.
    pub plan: Plan,
    /// Stripe or Mercado Pago.
    pub provider: PaymentProvider,
    /// Where the payer returns after paying.
    pub success_url: String,
    /// Where the payer returns after giving up.
    pub cancel_url: String,
    /// The client's `Idempotency-Key`, if it sent one.
    pub idempotency_key: Option<String>,
}

/// A started checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutStarted {
    /// Send the payer here.
    pub url: String,
    /// The provider's reference for it.
    pub reference: String,
    /// Who bills it.
    pub provider: PaymentProvider,
}

fn is_web_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace)) && url.len() <= 2048
}

impl SubscriptionService {
    /// Starts a checkout. The same request (same user, plan, provider and URLs, the same day, or
    /// the same client idempotency key) reaches the provider with the same idempotency key, so a
    /// retry never creates a second checkout. Errors: `Invalid`, `NotConfigured`,
    /// `AlreadySubscribed`, `ProviderUnavailable`.
    pub async fn checkout(&self, input: CheckoutInput) -> Result<CheckoutStarted, SubscriptionError> {
        let mut errors = Vec::new();
        if input.plan == Plan::Free {
            errors.push(FieldError::new(
                "plan",
                crate::FieldCode::NotPaid,
                "FREE needs no checkout; choose PRO or MAX",
            ));
        }
        for (field, url) in [("success_url", &input.success_url), ("cancel_url", &input.cancel_url)] {
            if !is_web_url(url) {
                errors.push(FieldError::new(field, crate::FieldCode::Url, "must be an absolute http(s) URL"));
            }
        }
        if !errors.is_empty() {
            return Err(SubscriptionError::Invalid(errors));
        }
        let gateway = self.ports.gateways.get(input.provider)?;
        let current = self.current(input.user_id).await?;
        if current.provider_subscription_id.is_some() && current.grants_plan() {
            return Err(SubscriptionError::AlreadySubscribed { plan: current.plan });
        }
        let day = self.ports.clock.now().date();
        let seed = match &input.idempotency_key {
            Some(key) => format!("{}|key|{key}", input.user_id),
            None => format!(
                "{}|{}|{}|{}|{}|{day}",
                input.user_id,
                input.plan,
                provider_name(input.provider),
                input.success_url,
                input.cancel_url
            ),
        };
        let idempotency_key = format!("botfleet-checkout-{}", hex::encode(&Sha256::digest(seed.as_bytes())[..16]));
        let request = CheckoutRequest {
            user_id: input.user_id,
            email: input.email,
            plan: input.plan,
            success_url: input.success_url,
            cancel_url: input.cancel_url,
            idempotency_key,
        };
        let session = gateway.create_checkout(&request).await?;
        Ok(CheckoutStarted { url: session.url, reference: session.reference, provider: input.provider })
    }
}
