//! The payment-provider port (Stripe, Mercado Pago) and the normalised types it speaks.

use async_trait::async_trait;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{CreatedPayment, OneOffPaymentRequest, PaymentProvider, Plan, SubscriptionStatus};
use crate::shared::ids::UserId;

/// What we send to start a paid subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// Who subscribes.
    pub user_id: UserId,
    /// Payer e-mail.
    pub email: String,
    /// The plan bought (PRO or MAX).
    pub plan: Plan,
    /// Billed every month or every year.
    pub period: super::BillingPeriod,
    /// Where the provider sends the payer after paying.
    pub success_url: String,
    /// Where the provider sends the payer after giving up.
    pub cancel_url: String,
    /// Sent as the provider's idempotency key: the same key never creates two checkouts.
    pub idempotency_key: String,
    /// Mercado Pago: the amount to bill when a coupon discounts the plan's price (else the price).
    pub amount: Option<Decimal>,
    /// Stripe: the promotion code (`promo_…`) to apply; without one the payer may enter a code on
    /// Stripe's page.
    pub promotion_code: Option<String>,
    /// Stripe: the free trial's days before the first charge (the user's one trial).
    pub trial_days: Option<u32>,
}

/// A started checkout: send the payer to `url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutSession {
    /// The provider's hosted checkout page (Stripe session URL, Mercado Pago `init_point`).
    pub url: String,
    /// The provider's id for it (`cs_…`, or the preapproval id).
    pub reference: String,
}

/// A subscription as the provider reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSubscription {
    /// Stripe or Mercado Pago.
    pub provider: PaymentProvider,
    /// The provider's id (`sub_…`, preapproval id).
    pub id: String,
    /// The provider's customer id, when it has one.
    pub customer_id: Option<String>,
    /// Our user, from metadata / external reference, when present.
    pub user_id: Option<UserId>,
    /// The plan, from metadata / price / external reference, when it can be told.
    pub plan: Option<Plan>,
    /// State, normalised.
    pub status: SubscriptionStatus,
    /// End of the paid period.
    pub current_period_end: Option<OffsetDateTime>,
    /// Ends at the period end.
    pub cancel_at_period_end: bool,
    /// The provider's own last-change time of this object, used to ignore stale updates.
    pub observed_at: Option<OffsetDateTime>,
}

/// A payment's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderPaymentStatus {
    /// Paid (Mercado Pago `approved`).
    Approved,
    /// Not decided yet.
    Pending,
    /// Refused or cancelled: never paid.
    Failed,
    /// Paid, then refunded in full or charged back (Mercado Pago `refunded`, `charged_back`).
    Refunded,
}

/// A single payment (Mercado Pago), read from the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's id.
    pub id: String,
    /// State.
    pub status: ProviderPaymentStatus,
    /// The subscription it pays, when known.
    pub subscription_id: Option<String>,
    /// Our user and plan, from the external reference, when present.
    pub user_id: Option<UserId>,
    /// The plan paid for, when it can be told.
    pub plan: Option<Plan>,
    /// Amount.
    pub amount: Decimal,
    /// Refunded so far (Mercado Pago `transaction_amount_refunded`): above 0 and below `amount`
    /// while the payment stays approved, a partial refund.
    pub refunded: Decimal,
    /// When the provider last changed it.
    pub observed_at: Option<OffsetDateTime>,
    /// Our reference, as the provider stores it.
    pub external_reference: Option<String>,
    /// When the provider approved it.
    pub approved_at: Option<OffsetDateTime>,
}

/// What a verified webhook is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookSubject {
    /// Stripe `checkout.session.completed`.
    CheckoutCompleted {
        /// The subscription created (`sub_…`).
        subscription_id: Option<String>,
        /// The customer (`cus_…`).
        customer_id: Option<String>,
        /// `client_reference_id` / metadata user.
        user_id: Option<UserId>,
        /// Metadata plan.
        plan: Option<Plan>,
        /// The invoice the checkout created (`in_…`): its payment is refunded when the
        /// subscription turns out to be a second one.
        invoice_id: Option<String>,
        /// The checkout's currency, upper case (ISO 4217).
        currency: Option<String>,
    },
    /// A subscription object changed (Stripe `customer.subscription.updated`).
    SubscriptionUpdated(ProviderSubscription),
    /// A subscription ended (Stripe `customer.subscription.deleted`).
    SubscriptionDeleted(ProviderSubscription),
    /// An invoice was paid (Stripe `invoice.paid`).
    InvoicePaid {
        /// The subscription it belongs to.
        subscription_id: String,
        /// The new end of the paid period, when the invoice tells.
        period_end: Option<OffsetDateTime>,
        /// What was paid (for the invoice list), when the invoice says its amount and currency.
        invoice: Option<super::PaidInvoice>,
        /// A plan change's proration invoice (`billing_reason: subscription_update` with proration
        /// lines): `invoice.amount` is then its total, negative for a credit.
        proration: bool,
    },
    /// An invoice payment failed (Stripe `invoice.payment_failed`).
    InvoicePaymentFailed {
        /// The subscription it belongs to.
        subscription_id: String,
    },
    /// Mercado Pago: a payment changed; read it from the API.
    PaymentChanged {
        /// Payment id (`data.id`).
        payment_id: String,
    },
    /// Mercado Pago: a preapproval changed; read it from the API.
    PreapprovalChanged {
        /// Preapproval id (`data.id`).
        preapproval_id: String,
    },
    /// Stripe `charge.refunded` / `charge.dispute.created`: a card payment refunded (in full or
    /// in part) or disputed.
    CardRefunded(super::CardRefund),
    /// A verified event of a type we do not act on.
    Ignored,
}

/// A webhook whose signature was verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEvent {
    /// Who sent it.
    pub provider: PaymentProvider,
    /// The provider's event / notification id: each is applied at most once.
    pub event_id: String,
    /// The provider's event type (`invoice.paid`, `payment`, …), for the audit record.
    pub event_type: String,
    /// When the provider created the event.
    pub created_at: Option<OffsetDateTime>,
    /// What it is about.
    pub subject: WebhookSubject,
}

/// An incoming webhook as received: raw body bytes, headers and query parameters.
#[derive(Clone, Debug, Default)]
pub struct WebhookRequest {
    /// The exact bytes received (signatures are over these, never a re-serialisation).
    pub body: Vec<u8>,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Query-string parameters.
    pub query: Vec<(String, String)>,
}

impl WebhookRequest {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first query parameter named `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A payment provider call's failure.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The provider's credentials are not configured on this server.
    #[error("payments not configured for this provider")]
    NotConfigured,
    /// The webhook signature is missing, malformed, wrong or too old.
    #[error("invalid webhook signature: {0}")]
    InvalidSignature(String),
    /// The webhook or provider payload could not be understood.
    #[error("malformed payload: {0}")]
    Malformed(String),
    /// The provider does not know that object.
    #[error("not found at the provider")]
    NotFound,
    /// The provider refused the request.
    #[error("refused by the provider ({code}): {message}")]
    Rejected {
        /// The provider's error code.
        code: String,
        /// The provider's message.
        message: String,
    },
    /// The provider could not be reached or failed.
    #[error("payment provider unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// One payment provider. Implementations: Stripe, Mercado Pago.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Which provider this is.
    fn provider(&self) -> PaymentProvider;

    /// Whether card subscriptions can be billed yearly (Stripe: annual prices configured).
    fn offers_annual_card(&self) -> bool {
        false
    }

    /// Whether a card subscription's billing period can change (monthly <-> annual). Stripe: with
    /// annual prices configured; Mercado Pago: never (a preapproval's frequency is fixed).
    fn changes_billing_period(&self) -> bool {
        false
    }

    /// Starts a hosted checkout for a subscription to `request.plan`, billed every `request.period`.
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<CheckoutSession, PaymentError>;

    /// Cancels a subscription: Stripe at the period end (`cancel_at_period_end`), Mercado Pago at
    /// once. Returns the subscription as the provider reports it afterwards.
    async fn cancel(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError>;

    /// Cancels a subscription at once, whatever its period (account deletion): nothing more is
    /// billed. Returns the subscription as the provider reports it afterwards (`Canceled`).
    async fn cancel_now(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError>;

    /// The id of the active promotion code whose customer-facing code is `code` (Stripe's
    /// `GET /v1/promotion_codes?code=…&active=true`), `None` when there is none. Providers without
    /// promotion codes answer `None`.
    async fn find_promotion_code(&self, _code: &str) -> Result<Option<String>, PaymentError> {
        Ok(None)
    }

    /// Reads a subscription (Stripe subscription, Mercado Pago preapproval).
    async fn subscription(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError>;

    /// Reads a payment (Mercado Pago). Stripe answers `NotFound`.
    async fn payment(&self, payment_id: &str) -> Result<ProviderPayment, PaymentError>;

    /// Cancels a pending one-off payment (Mercado Pago `PUT /v1/payments/{id}` with status
    /// `cancelled`), so it can no longer be paid; returns the payment as the provider reports it
    /// afterwards. Errors: `Rejected` when it is no longer pending (paid meanwhile, say),
    /// `NotFound` (Stripe, which has no such payments), `Unavailable`.
    async fn cancel_payment(&self, _payment_id: &str) -> Result<ProviderPayment, PaymentError> {
        Err(PaymentError::NotFound)
    }

    /// Creates a one-off PIX or boleto payment (Mercado Pago). Stripe answers `Rejected`
    /// (`method_not_supported`). Errors also: `Unavailable`, `Malformed`.
    async fn create_payment(&self, request: &OneOffPaymentRequest) -> Result<CreatedPayment, PaymentError>;

    /// The invoice an immediate change of plan would produce (Stripe's upcoming-invoice
    /// preview). Mercado Pago answers `Rejected` (`proration_not_supported`).
    async fn preview_plan_change(
        &self,
        request: &super::PlanChangeRequest,
    ) -> Result<super::ProrationPreview, PaymentError>;

    /// Changes the plan billed: at once with proration, or from the next period on. Returns
    /// the subscription as the provider reports it afterwards. Errors: `NotFound`, `Rejected`,
    /// `Unavailable`, `Malformed`.
    async fn change_plan(&self, request: &super::PlanChangeRequest) -> Result<ProviderSubscription, PaymentError>;

    /// How often a card subscription bills: monthly or annual (Stripe: its item's price; Mercado
    /// Pago: the preapproval's `frequency`). Errors: `NotFound`, `Unavailable`, `Malformed`.
    async fn billing_period(&self, subscription_id: &str) -> Result<super::BillingPeriod, PaymentError>;

    /// Every payment carrying `external_reference`, newest first (Mercado Pago search). Stripe
    /// answers an empty list.
    async fn search_payments(&self, external_reference: &str) -> Result<Vec<ProviderPayment>, PaymentError>;

    /// Refunds a paid payment in full (Mercado Pago `POST /v1/payments/{id}/refunds`, Stripe
    /// `POST /v1/refunds` of the invoice's payment). Errors: `NotFound`, `Rejected` (already
    /// refunded, too old, …), `Unavailable`, `Malformed`.
    async fn refund(&self, request: &super::RefundRequest) -> Result<super::ProviderRefund, PaymentError>;

    /// The invoice a payment intent paid (Stripe `GET /v1/invoice_payments` by payment), if
    /// any. Mercado Pago answers `None`.
    async fn invoice_of_payment(&self, payment_intent: &str) -> Result<Option<String>, PaymentError>;

    /// Verifies a webhook's signature on the raw bytes (at `now`, for replay tolerance) and
    /// parses it. Never trusts anything before the signature is checked.
    fn verify_webhook(&self, request: &WebhookRequest, now: OffsetDateTime) -> Result<WebhookEvent, PaymentError>;
}

/// The reference we give providers to find our user and plan again:
/// `botfleet:<user id>:<PLAN>` (Mercado Pago `external_reference`, Stripe metadata).
pub fn external_reference(user_id: UserId, plan: Plan) -> String {
    format!("botfleet:{user_id}:{plan}")
}

/// Parses [`external_reference`]'s format.
pub fn parse_external_reference(raw: &str) -> Option<(UserId, Plan)> {
    let mut parts = raw.split(':');
    let (Some("botfleet"), Some(user), Some(plan), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some((UserId::parse(user)?, plan.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_reference_round_trip() {
        let user = UserId::new();
        assert_eq!(parse_external_reference(&external_reference(user, Plan::Pro)), Some((user, Plan::Pro)));
        assert_eq!(parse_external_reference("botfleet:nope:PRO"), None);
        assert_eq!(parse_external_reference("other"), None);
    }
}
