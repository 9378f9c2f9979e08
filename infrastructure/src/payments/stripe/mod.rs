//! Stripe adapter of [`PaymentGateway`]: hosted Checkout for monthly subscriptions, cancel at period
//! end (or at once, for account deletion), subscription reads and signed webhooks.
//!
//! Requests are form-encoded with bracket keys, authenticated with the secret key as a bearer token,
//! pinned to [`STRIPE_API_VERSION`], and retried on transient failures with the same
//! `Idempotency-Key`. A checkout's key is derived from the request (caller key and every form
//! field), so retrying the same checkout never creates a second session. Responses and webhooks
//! are parsed in both the pre-basil and basil shapes.

mod client;
mod config;
mod events;
mod mapping;
mod plan_change;
mod promotion;
mod refund_events;
mod refunds;
mod schedules;
mod signature;

use async_trait::async_trait;
use reqwest::Method;
use time::OffsetDateTime;

use domain::subscriptions::{
    external_reference, BillingPeriod, CheckoutRequest, CheckoutSession, CreatedPayment, OneOffPaymentRequest,
    PaymentError, PaymentGateway, PaymentProvider, PlanChangeRequest, ProrationPreview, ProviderPayment,
    ProviderRefund, ProviderSubscription, RefundRequest, WebhookEvent, WebhookRequest,
};

use crate::payments::idempotency::derive_key;
use client::{Call, StripeClient};
use mapping::{CreatedSession, StripeSubscription};

pub use config::{
    StripeConfig, StripeConfigError, DEFAULT_API_BASE, DEFAULT_RETRY_BACKOFF, DEFAULT_TIMEOUT, ENV_API_BASE,
    ENV_PRICE_MAX, ENV_PRICE_MAX_ANNUAL, ENV_PRICE_PRO, ENV_PRICE_PRO_ANNUAL, ENV_SECRET_KEY, ENV_WEBHOOK_SECRET,
};
pub use signature::{signature_header, SIGNATURE_HEADER, TOLERANCE_SECONDS};

/// The API version every request pins with the `Stripe-Version` header.
///
/// 2025-03-31.basil moved `current_period_end` onto subscription items and an invoice's subscription
/// under `parent.subscription_details`. Webhook payloads follow the endpoint's own version, which is
/// set in the Stripe dashboard and may be older, so the parsers accept both shapes.
pub const STRIPE_API_VERSION: &str = "2025-03-31.basil";

/// The Stripe payment gateway.
#[derive(Debug, Clone)]
pub struct StripeGateway {
    config: StripeConfig,
    client: StripeClient,
}

impl StripeGateway {
    /// Builds the gateway; fails when a setting is empty or `api_base` is not an http(s) URL.
    pub fn new(config: StripeConfig) -> Result<Self, StripeConfigError> {
        config.validate()?;
        let client = StripeClient::new(&config)?;
        Ok(Self { config, client })
    }

    async fn post_subscription(
        &self,
        path: &str,
        form: &[(&str, String)],
    ) -> Result<ProviderSubscription, PaymentError> {
        // A fresh key per operation, kept across its retries: a later cancel must not replay this one.
        let key = format!("botfleet-{}", ulid::Ulid::new());
        let call = Call { method: Method::POST, path, form, idempotency_key: Some(&key) };
        let raw: StripeSubscription = self.client.send(&call).await?;
        mapping::to_provider_subscription(raw, &self.config, None)
    }
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    fn provider(&self) -> PaymentProvider {
        PaymentProvider::Stripe
    }

    /// Annual card subscriptions need both annual prices configured.
    fn offers_annual_card(&self) -> bool {
        self.config.offers_annual()
    }

    /// Monthly <-> annual: a price of the other interval (at once), or a schedule (at the end).
    fn changes_billing_period(&self) -> bool {
        self.config.offers_annual()
    }

    /// `POST /v1/checkout/sessions` in subscription mode, with the plan's price, our user as
    /// `client_reference_id` and in the session's and subscription's metadata. FREE is refused
    /// (`Rejected`, code `plan_not_purchasable`) without calling Stripe.
    #[tracing::instrument(skip_all, fields(plan = %request.plan, user_id = %request.user_id), err)]
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<CheckoutSession, PaymentError> {
        let price = self.config.price_for(request.plan).ok_or_else(|| PaymentError::Rejected {
            code: "plan_not_purchasable".to_owned(),
            message: format!("the {} plan is free and is not sold through Stripe", request.plan),
        })?;
        let price = match request.period {
            BillingPeriod::Monthly => price,
            BillingPeriod::Annual => {
                self.config.annual_price_for(request.plan).ok_or_else(|| PaymentError::Rejected {
                    code: "period_not_offered".to_owned(),
                    message: "no annual Stripe prices are configured".to_owned(),
                })?
            }
        };
        let user = request.user_id.to_string();
        let plan = request.plan.to_string();
        let reference = external_reference(request.user_id, request.plan);
        let mut form: Vec<(&str, String)> = vec![
            ("mode", "subscription".to_owned()),
            ("line_items[0][price]", price.to_owned()),
            ("line_items[0][quantity]", "1".to_owned()),
            ("success_url", request.success_url.clone()),
            ("cancel_url", request.cancel_url.clone()),
            ("client_reference_id", user.clone()),
            ("customer_email", request.email.clone()),
            // Keys match mapping::META_USER_ID, META_PLAN and META_REFERENCE.
            ("metadata[user_id]", user.clone()),
            ("metadata[plan]", plan.clone()),
            ("metadata[external_reference]", reference.clone()),
            ("subscription_data[metadata][user_id]", user),
            ("subscription_data[metadata][plan]", plan),
            ("subscription_data[metadata][external_reference]", reference),
        ];
        form.extend(promotion::discount_fields(request));
        form.extend(promotion::trial_fields(request));
        let payload = serde_json::to_vec(&form).map_err(|e| PaymentError::Malformed(format!("checkout form: {e}")))?;
        let key = derive_key("stripe-checkout", &request.idempotency_key, &payload);
        let call =
            Call { method: Method::POST, path: "/v1/checkout/sessions", form: &form, idempotency_key: Some(&key) };
        let session: CreatedSession = self.client.send(&call).await?;
        let url = session
            .url
            .ok_or_else(|| PaymentError::Malformed(format!("checkout session {} has no url", session.id)))?;
        Ok(CheckoutSession { url, reference: session.id })
    }

    /// `POST /v1/subscriptions/{id}` with `cancel_at_period_end=true`: access lasts until the period
    /// ends. An id that is not a Stripe id answers `NotFound` without calling Stripe.
    #[tracing::instrument(skip(self), err)]
    async fn cancel(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError> {
        let path = subscription_path(subscription_id)?;
        self.post_subscription(&path, &[("cancel_at_period_end", "true".to_owned())]).await
    }

    /// `DELETE /v1/subscriptions/{id}`: cancelled at once, no further invoice. An id that is not
    /// a Stripe id answers `NotFound` without calling Stripe.
    #[tracing::instrument(skip(self), err)]
    async fn cancel_now(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError> {
        let path = subscription_path(subscription_id)?;
        // DELETE is idempotent by definition at Stripe, which ignores idempotency keys on it.
        let call = Call { method: Method::DELETE, path: &path, form: &[], idempotency_key: None };
        let raw: StripeSubscription = self.client.send(&call).await?;
        mapping::to_provider_subscription(raw, &self.config, None)
    }

    /// `GET /v1/promotion_codes?code=…&active=true`: the active promotion code's id.
    #[tracing::instrument(skip_all, err)]
    async fn find_promotion_code(&self, code: &str) -> Result<Option<String>, PaymentError> {
        self.lookup_promotion_code(code).await
    }

    /// `GET /v1/subscriptions/{id}`. `observed_at` is `None`: a read carries no change time.
    #[tracing::instrument(skip(self), err)]
    async fn subscription(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError> {
        let path = subscription_path(subscription_id)?;
        let call = Call { method: Method::GET, path: &path, form: &[], idempotency_key: None };
        let raw: StripeSubscription = self.client.send(&call).await?;
        mapping::to_provider_subscription(raw, &self.config, None)
    }

    /// Stripe flows never read single payments (invoices drive them): always `NotFound`.
    async fn payment(&self, _payment_id: &str) -> Result<ProviderPayment, PaymentError> {
        Err(PaymentError::NotFound)
    }

    /// PIX and boleto are Mercado Pago's: refused without calling Stripe.
    async fn create_payment(&self, _request: &OneOffPaymentRequest) -> Result<CreatedPayment, PaymentError> {
        Err(PaymentError::Rejected {
            code: "method_not_supported".to_owned(),
            message: "one-off PIX and boleto payments are collected through Mercado Pago".to_owned(),
        })
    }

    /// `POST /v1/invoices/create_preview` for the item's new price at the proration date.
    #[tracing::instrument(skip_all, fields(plan = %request.plan), err)]
    async fn preview_plan_change(&self, request: &PlanChangeRequest) -> Result<ProrationPreview, PaymentError> {
        self.preview_change(request).await
    }

    /// `POST /v1/subscriptions/{id}` with the item's new price: prorated and invoiced at once,
    /// or without proration from the next period.
    #[tracing::instrument(skip_all, fields(plan = %request.plan), err)]
    async fn change_plan(&self, request: &PlanChangeRequest) -> Result<ProviderSubscription, PaymentError> {
        self.change(request).await
    }

    /// The period of the subscription item's price: annual when it is one of the annual prices.
    #[tracing::instrument(skip(self), err)]
    async fn billing_period(&self, subscription_id: &str) -> Result<BillingPeriod, PaymentError> {
        self.period_of(subscription_id).await
    }

    /// Stripe flows are driven by invoices: there are no one-off payments to find.
    async fn search_payments(&self, _external_reference: &str) -> Result<Vec<ProviderPayment>, PaymentError> {
        Ok(Vec::new())
    }

    /// `POST /v1/refunds` of the paid invoice's payment (see [`refunds`]).
    #[tracing::instrument(skip_all, fields(invoice = %request.payment_id), err)]
    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, PaymentError> {
        self.refund_invoice(request).await
    }

    /// The invoice a payment intent paid (see [`refunds`]).
    #[tracing::instrument(skip(self), err)]
    async fn invoice_of_payment(&self, payment_intent: &str) -> Result<Option<String>, PaymentError> {
        self.invoice_paid_by(payment_intent).await
    }

    /// Checks `stripe-signature` on the raw body at `now`, then parses the event.
    fn verify_webhook(&self, request: &WebhookRequest, now: OffsetDateTime) -> Result<WebhookEvent, PaymentError> {
        signature::verify(request.header(SIGNATURE_HEADER), &request.body, &self.config.webhook_secret, now)?;
        events::parse_event(&request.body, &self.config)
    }
}

/// `/v1/subscriptions/{id}`, for ids made only of the characters Stripe uses (`sub_…`), so an id
/// can never change the path.
fn subscription_path(id: &str) -> Result<String, PaymentError> {
    let valid = !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(format!("/v1/subscriptions/{id}"))
    } else {
        Err(PaymentError::NotFound)
    }
}
