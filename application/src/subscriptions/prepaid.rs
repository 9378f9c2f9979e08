//! `POST /api/subscriptions/checkout` with `method: pix | boleto`: a period bought once through
//! Mercado Pago's Payments API. The charge is recorded (pending) before the provider is called,
//! under an external reference naming it, so a payment whose notification is lost is still found
//! by reconciliation; the plan changes only when the payment is approved (see `settle`).

use domain::shared::ids::UserId;
use domain::subscriptions::{
    BillingPeriod, Charge, ChargeStatus, Coupon, NewCharge, OneOffPaymentRequest, Payer, PaymentMethod,
    PaymentProvider, Plan,
};
use domain::PageRequest;
use time::Duration;

use super::{SubscriptionError, SubscriptionService};
use crate::{FieldCode, FieldError};

/// How long a PIX code can be paid (Mercado Pago's default, 24 h).
pub(crate) const PIX_VALIDITY: Duration = Duration::hours(24);
/// How long a boleto can be paid (Mercado Pago's default and advice, 3 days).
pub(crate) const BOLETO_VALIDITY: Duration = Duration::days(3);
/// A pending charge closer than this to its expiry is not handed out again.
pub(crate) const REUSE_MARGIN: Duration = Duration::minutes(10);

/// A PIX or boleto checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepaidInput {
    /// Who.
    pub user_id: UserId,
    /// PRO or MAX.
    pub plan: Plan,
    /// Monthly or annual.
    pub period: BillingPeriod,
    /// PIX or boleto.
    pub method: PaymentMethod,
    /// Who pays (boleto needs names, CPF/CNPJ and address).
    pub payer: Payer,
    /// An operator-defined coupon code, discounting the amount.
    pub coupon: Option<String>,
}

fn validate(input: &PrepaidInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if input.plan == Plan::Free {
        errors.push(FieldError::new("plan", FieldCode::NotPaid, "FREE needs no checkout; choose PRO or MAX"));
    }
    if input.method == PaymentMethod::Card {
        errors.push(FieldError::new("method", FieldCode::Invalid, "cards use the hosted checkout"));
    }
    if input.method == PaymentMethod::Boleto {
        let p = &input.payer;
        let required = [
            ("payer.first_name", p.first_name.is_some()),
            ("payer.last_name", p.last_name.is_some()),
            ("payer.identification", p.identification.is_some()),
            ("payer.address", p.address.is_some()),
        ];
        for (field, present) in required {
            if !present {
                errors.push(FieldError::new(field, FieldCode::Required, "required for boleto (the bank needs it)"));
            }
        }
    }
    errors
}

impl SubscriptionService {
    /// Starts a PIX or boleto payment for one period of `plan`. A pending charge of the same plan,
    /// period, method and coupon that can still be paid is handed out again instead of a new one.
    /// A coupon discounts the amount; its redemption is given back when the charge cannot be made.
    /// Errors: `Invalid`, `NotConfigured`, `AlreadySubscribed` (a card subscription bills the user,
    /// or a period of another plan is running), `Coupon`, `ProviderUnavailable`.
    pub async fn checkout_prepaid(&self, input: PrepaidInput) -> Result<Charge, SubscriptionError> {
        let mut errors = validate(&input);
        let amount = self.price(input.plan, input.period);
        if amount.is_none() && input.plan != Plan::Free {
            errors.push(FieldError::new("period", FieldCode::Invalid, "this period is not offered for this plan"));
        }
        let (false, Some(amount)) = (!errors.is_empty(), amount) else {
            return Err(SubscriptionError::Invalid(errors));
        };
        self.ports.gateways.get(PaymentProvider::Mercadopago)?;
        self.one_checkout_at_a_time(input.user_id, self.start_prepaid(input, amount)).await
    }

    /// [`Self::checkout_prepaid`] once the input is valid, under the user's checkout lease.
    async fn start_prepaid(
        &self,
        input: PrepaidInput,
        amount: rust_decimal::Decimal,
    ) -> Result<Charge, SubscriptionError> {
        let current = self.current(input.user_id).await?;
        let now = self.ports.clock.now();
        let recurring = current.provider_subscription_id.is_some() && current.grants_plan();
        let other_plan = current.is_prepaid() && current.plan != input.plan;
        if recurring || other_plan {
            return Err(SubscriptionError::AlreadySubscribed { plan: current.plan });
        }
        let coupon_code = input.coupon.as_deref().map(|raw| Coupon::normalize_code(raw).unwrap_or_default());
        let recent = self.ports.charges.list_for_user(input.user_id, PageRequest::new(0, 20)).await?;
        let reusable = recent.items.into_iter().find(|c| {
            c.status == ChargeStatus::Pending
                && (c.plan, c.period, c.method) == (input.plan, input.period, input.method)
                && c.coupon == coupon_code
                && c.provider_payment_id.is_some()
                && c.expires_at > now + REUSE_MARGIN
        });
        if let Some(charge) = reusable {
            return Ok(charge);
        }
        let redeemed = match &input.coupon {
            Some(code) => Some(self.redeem_coupon(code, input.user_id, input.plan, amount).await?),
            None => None,
        };
        let amount = redeemed.as_ref().map_or(amount, |r| r.amount);
        let user = input.user_id;
        let made = self.make_prepaid(input, amount, redeemed.as_ref().map(|r| r.coupon.code.clone())).await;
        if let (Err(_), Some(redeemed)) = (&made, &redeemed) {
            self.release_coupon(&redeemed.coupon, user).await;
        }
        made
    }

    /// Records the charge of `amount` and creates its payment at Mercado Pago.
    async fn make_prepaid(
        &self,
        input: PrepaidInput,
        amount: rust_decimal::Decimal,
        coupon: Option<String>,
    ) -> Result<Charge, SubscriptionError> {
        let now = self.ports.clock.now();
        let validity = if input.method == PaymentMethod::Pix { PIX_VALIDITY } else { BOLETO_VALIDITY };
        let new = NewCharge {
            user_id: input.user_id,
            method: input.method,
            plan: input.plan,
            period: input.period,
            amount,
            expires_at: now + validity,
        };
        let charge = self.ports.charges.create(&Charge { coupon, ..Charge::pending(new, now) }).await?;
        let description = format!("botfleet {} ({})", input.plan, input.period.as_str());
        self.pay_at_mercadopago(charge, description, input.payer).await
    }

    /// Creates the payment of `charge` (recorded pending) at Mercado Pago, under the charge's id
    /// as its idempotency key, and records how to pay it.
    pub(super) async fn pay_at_mercadopago(
        &self,
        charge: Charge,
        description: String,
        payer: Payer,
    ) -> Result<Charge, SubscriptionError> {
        let gateway = self.ports.gateways.get(PaymentProvider::Mercadopago)?.clone();
        let request = OneOffPaymentRequest {
            method: charge.method,
            amount: charge.amount,
            description,
            external_reference: charge.external_reference(),
            expires_at: charge.expires_at,
            payer,
            idempotency_key: charge.id.to_string(),
        };
        // On failure the charge stays pending without a payment: reconciliation looks for it by
        // its reference (the provider may have created it) until it expires.
        let created = gateway.create_payment(&request).await?;
        let made = Charge {
            provider_payment_id: Some(created.id),
            instructions: created.instructions,
            expires_at: created.expires_at.unwrap_or(charge.expires_at),
            updated_at: self.ports.clock.now(),
            ..charge
        };
        Ok(self.ports.charges.update(&made).await?)
    }

    /// The price of `plan` for `period` in BRL; `None` when not offered.
    pub(crate) fn price(&self, plan: Plan, period: BillingPeriod) -> Option<rust_decimal::Decimal> {
        if plan == Plan::Free {
            return None;
        }
        match period {
            BillingPeriod::Monthly => Some(self.ports.table.monthly_price_brl(plan)),
            BillingPeriod::Annual => Some(self.ports.table.annual_price_brl(plan)),
        }
    }
}
