//! `POST /api/subscriptions/checkout`: starts a hosted checkout at Stripe or Mercado Pago. The
//! plan changes only when the provider confirms payment (webhook or reconciliation), never here.

use domain::shared::ids::UserId;
use domain::subscriptions::{BillingPeriod, CheckoutRequest, CouponRefusal, PaymentProvider, Plan, TRIAL_PLAN};
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
    /// Billed monthly or yearly.
    pub period: BillingPeriod,
    /// Stripe or Mercado Pago.
    pub provider: PaymentProvider,
    /// Where the payer returns after paying.
    pub success_url: String,
    /// Where the payer returns after giving up.
    pub cancel_url: String,
    /// The client's `Idempotency-Key`, if it sent one.
    pub idempotency_key: Option<String>,
    /// A coupon: a Stripe promotion code, or an operator-defined coupon on Mercado Pago.
    pub coupon: Option<String>,
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
    /// Billed monthly or yearly.
    pub period: BillingPeriod,
}

fn is_web_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace)) && url.len() <= 2048
}

impl SubscriptionService {
    /// Starts a checkout. The same request (same user, plan, provider and URLs, the same day, or
    /// the same client idempotency key) reaches the provider with the same idempotency key, so a
    /// retry never creates a second checkout. A coupon is a Stripe promotion code (looked up,
    /// then applied to the session) or, on Mercado Pago, an operator-defined coupon redeemed here
    /// and given back if the provider refuses the checkout. Errors: `Invalid`, `NotConfigured`,
    /// `AlreadySubscribed`, `Coupon`, `ProviderUnavailable`.
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
        if input.period == BillingPeriod::Annual && !gateway.offers_annual_card() {
            let why = "annual card subscriptions are not offered by this provider here; pay the year by PIX or boleto";
            return Err(SubscriptionError::Invalid(vec![FieldError::new("period", crate::FieldCode::Invalid, why)]));
        }
        let current = self.current(input.user_id).await?;
        if current.provider_subscription_id.is_some() && current.grants_plan() {
            return Err(SubscriptionError::AlreadySubscribed { plan: current.plan });
        }
        let day = self.ports.clock.now().date();
        let coupon = input.coupon.as_deref().unwrap_or_default();
        let seed = match &input.idempotency_key {
            Some(key) => format!("{}|key|{key}|{coupon}", input.user_id),
            None => format!(
                "{}|{}{}|{}|{}|{}|{day}|{coupon}",
                input.user_id,
                input.plan,
                if input.period == BillingPeriod::Annual { "|annual" } else { "" },
                provider_name(input.provider),
                input.success_url,
                input.cancel_url
            ),
        };
        let idempotency_key = format!("botfleet-checkout-{}", hex::encode(&Sha256::digest(seed.as_bytes())[..16]));
        let (mut promotion_code, mut redeemed) = (None, None);
        match (input.provider, &input.coupon) {
            (_, None) => {}
            (PaymentProvider::Stripe, Some(code)) => {
                let found = gateway.find_promotion_code(code.trim()).await?;
                promotion_code = Some(found.ok_or(SubscriptionError::Coupon(CouponRefusal::Unknown))?);
            }
            (PaymentProvider::Mercadopago, Some(code)) => {
                let price = self.price(input.plan, input.period).unwrap_or_default();
                redeemed = Some(self.redeem_coupon(code, input.user_id, input.plan, price).await?);
            }
        }
        let user = input.user_id;
        // Stripe's own trial, on the user's first PRO by card: the same once-per-user rule as
        // `start_trial` (marked used when the trialing subscription is activated).
        let trial_days = self.trial_days().filter(|_| {
            input.provider == PaymentProvider::Stripe && input.plan == TRIAL_PLAN && current.trial_started_at.is_none()
        });
        let request = CheckoutRequest {
            user_id: input.user_id,
            email: input.email,
            plan: input.plan,
            period: input.period,
            success_url: input.success_url,
            cancel_url: input.cancel_url,
            idempotency_key,
            amount: redeemed.as_ref().map(|r| r.amount),
            promotion_code,
            trial_days,
        };
        let session = match gateway.create_checkout(&request).await {
            Ok(session) => session,
            Err(err) => {
                if let Some(redeemed) = &redeemed {
                    self.release_coupon(&redeemed.coupon, user).await;
                }
                return Err(err.into());
            }
        };
        Ok(CheckoutStarted {
            url: session.url,
            reference: session.reference,
            provider: input.provider,
            period: input.period,
        })
    }
}
