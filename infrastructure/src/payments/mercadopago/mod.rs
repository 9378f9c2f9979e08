//! Mercado Pago adapter of `domain::subscriptions::PaymentGateway`: monthly subscriptions as
//! preapprovals without a plan, payments read back from the API, and `x-signature` webhooks.
//!
//! - Checkout: `POST /preapproval` with status `pending`; the payer is sent to its `init_point`.
//!   Mercado Pago has a single `back_url`, so `success_url` is used and `cancel_url` is not sent.
//!   `X-Idempotency-Key` is derived from the caller's key and the exact body, so a retry repeats it.
//! - Cancel: `PUT /preapproval/{id}` `{"status":"cancelled"}`, effective at once.
//! - Reads: `GET /preapproval/{id}` and `GET /v1/payments/{id}`; unknown statuses are `Malformed`,
//!   never guessed.
//! - Webhooks: `x-signature` checked as described at [`signature_manifest`]; unsigned ones refused
//!   unless [`MercadoPagoConfig::accept_unsigned_preapproval_notifications`] lets a
//!   `subscription_preapproval` one through as a re-read. The subject only names what to re-read.

mod config;
mod http;
mod mapping;
mod payments;
mod plan_change;
mod refunds;
mod signature;
mod webhook;
mod wire;

use async_trait::async_trait;
use reqwest::Method;
use time::OffsetDateTime;

use domain::subscriptions::{
    external_reference, BillingPeriod, CheckoutRequest, CheckoutSession, CreatedPayment, OneOffPaymentRequest,
    PaymentError, PaymentGateway, PaymentProvider, Plan, PlanChangeRequest, ProrationPreview, ProviderPayment,
    ProviderRefund, ProviderSubscription, RefundRequest, WebhookEvent, WebhookRequest,
};

pub use config::{
    MercadoPagoConfig, MercadoPagoConfigError, DEFAULT_API_BASE, ENV_ACCESS_TOKEN, ENV_API_BASE, ENV_WEBHOOK_SECRET,
};
pub use signature::{sign_manifest, signature_manifest};

use crate::payments::idempotency::derive_key;
use http::Api;
use wire::{AutoRecurring, NewPreapproval, Payment, Preapproval, StatusChange};

/// The Mercado Pago payment gateway.
#[derive(Debug)]
pub struct MercadoPagoGateway {
    config: MercadoPagoConfig,
    api: Api,
}

impl MercadoPagoGateway {
    /// Checks the settings and builds the HTTP client. Empty credentials are allowed: calls then
    /// answer `PaymentError::NotConfigured`.
    pub fn new(config: MercadoPagoConfig) -> Result<Self, MercadoPagoConfigError> {
        config.validate()?;
        let api = Api::new(&config)?;
        Ok(Self { config, api })
    }
}

/// Refuses an id that could not be a Mercado Pago id before it reaches a URL path.
fn checked_id(id: &str) -> Result<&str, PaymentError> {
    if wire::is_valid_id(id) {
        Ok(id)
    } else {
        Err(PaymentError::Malformed(format!("`{id}` is not a Mercado Pago id")))
    }
}

#[async_trait]
impl PaymentGateway for MercadoPagoGateway {
    fn provider(&self) -> PaymentProvider {
        PaymentProvider::Mercadopago
    }

    /// A yearly preapproval (`frequency: 12`, `frequency_type: months`) at the annual price.
    fn offers_annual_card(&self) -> bool {
        true
    }

    #[tracing::instrument(skip_all, fields(plan = %request.plan, user_id = %request.user_id), err)]
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<CheckoutSession, PaymentError> {
        // Monthly or yearly; a coupon's discounted amount, when the application applied one (never
        // above the price).
        let (price, frequency) = match request.period {
            BillingPeriod::Monthly => (self.config.price(request.plan), 1),
            BillingPeriod::Annual => (self.config.annual_price(request.plan), 12),
        };
        let Some(amount) = price.map(|price| request.amount.map_or(price, |a| a.min(price))) else {
            return Err(PaymentError::Rejected {
                code: "plan_not_billable".into(),
                message: format!("the {} plan is free and has no checkout", Plan::Free),
            });
        };
        let body = NewPreapproval {
            reason: format!("botfleet {}", request.plan),
            external_reference: external_reference(request.user_id, request.plan),
            payer_email: &request.email,
            back_url: &request.success_url,
            auto_recurring: AutoRecurring {
                frequency,
                frequency_type: "months",
                transaction_amount: wire::json_amount(amount)?,
                currency_id: "BRL",
            },
            status: "pending",
        };
        let payload =
            serde_json::to_vec(&body).map_err(|e| PaymentError::Malformed(format!("preapproval body: {e}")))?;
        let key = derive_key("mp-preapproval", &request.idempotency_key, &payload);
        let created: Preapproval = self.api.send(Method::POST, "/preapproval", &body, &key).await?;
        let reference = wire::id_text(&created.id)
            .ok_or_else(|| PaymentError::Malformed("created preapproval without an id".into()))?;
        let url = created
            .init_point
            .filter(|u| !u.is_empty())
            .ok_or_else(|| PaymentError::Malformed(format!("preapproval {reference} without init_point")))?;
        Ok(CheckoutSession { url, reference })
    }

    #[tracing::instrument(skip(self), err)]
    async fn cancel(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError> {
        let path = format!("/preapproval/{}", checked_id(subscription_id)?);
        // One key per cancel call, repeated by its retries: cancelling is idempotent anyway.
        let key = format!("botfleet-cancel-{}", ulid::Ulid::new());
        let body = StatusChange { status: "cancelled" };
        let updated: Preapproval = self.api.send(Method::PUT, &path, &body, &key).await?;
        mapping::subscription(updated)
    }

    /// The same as [`Self::cancel`]: Mercado Pago cancels a preapproval at once.
    async fn cancel_now(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError> {
        self.cancel(subscription_id).await
    }

    #[tracing::instrument(skip(self), err)]
    async fn subscription(&self, subscription_id: &str) -> Result<ProviderSubscription, PaymentError> {
        let preapproval: Preapproval = self.api.get(&format!("/preapproval/{}", checked_id(subscription_id)?)).await?;
        mapping::subscription(preapproval)
    }

    #[tracing::instrument(skip(self), err)]
    async fn payment(&self, payment_id: &str) -> Result<ProviderPayment, PaymentError> {
        let payment: Payment = self.api.get(&format!("/v1/payments/{}", checked_id(payment_id)?)).await?;
        mapping::payment(payment)
    }

    /// `PUT /v1/payments/{id}` with `{"status": "cancelled"}`: Mercado Pago cancels a payment
    /// that is still pending (a PIX or boleto not paid yet) and refuses one that is not.
    #[tracing::instrument(skip(self), err)]
    async fn cancel_payment(&self, payment_id: &str) -> Result<ProviderPayment, PaymentError> {
        let path = format!("/v1/payments/{}", checked_id(payment_id)?);
        let key = format!("botfleet-cancel-payment-{payment_id}");
        let body = StatusChange { status: "cancelled" };
        let updated: Payment = self.api.send(Method::PUT, &path, &body, &key).await?;
        mapping::payment(updated)
    }

    #[tracing::instrument(skip_all, fields(method = request.method.as_str()), err)]
    async fn create_payment(&self, request: &OneOffPaymentRequest) -> Result<CreatedPayment, PaymentError> {
        let body = payments::NewPayment::of(request)?;
        let payload = serde_json::to_vec(&body).map_err(|e| PaymentError::Malformed(format!("payment body: {e}")))?;
        let key = derive_key("mp-payment", &request.idempotency_key, &payload);
        let created: Payment = self.api.send(Method::POST, "/v1/payments", &body, &key).await?;
        payments::created(&created)
    }

    /// Mercado Pago does not prorate: `Rejected` (`proration_not_supported`) without a call.
    async fn preview_plan_change(&self, _request: &PlanChangeRequest) -> Result<ProrationPreview, PaymentError> {
        Err(plan_change::not_prorated())
    }

    /// `PUT /preapproval/{id}` with the new plan's amount for the next charges.
    #[tracing::instrument(skip_all, fields(plan = %request.plan), err)]
    async fn change_plan(&self, request: &PlanChangeRequest) -> Result<ProviderSubscription, PaymentError> {
        self.change_amount(request).await
    }

    /// Annual when the preapproval bills every 12 months (`auto_recurring.frequency`).
    #[tracing::instrument(skip(self), err)]
    async fn billing_period(&self, subscription_id: &str) -> Result<BillingPeriod, PaymentError> {
        self.period_of(subscription_id).await
    }

    #[tracing::instrument(skip(self), err)]
    async fn search_payments(&self, external_reference: &str) -> Result<Vec<ProviderPayment>, PaymentError> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("external_reference", external_reference),
                ("sort", "date_created"),
                ("criteria", "desc"),
                ("limit", "30"),
            ])
            .finish();
        let search: wire::PaymentSearch = self.api.get(&format!("/v1/payments/search?{query}")).await?;
        Ok(payments::found(search.results))
    }

    #[tracing::instrument(skip_all, fields(payment = %request.payment_id), err)]
    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, PaymentError> {
        self.refund_payment(request).await
    }

    /// Payment intents are Stripe's: always `None`.
    async fn invoice_of_payment(&self, _payment_intent: &str) -> Result<Option<String>, PaymentError> {
        Ok(None)
    }

    fn verify_webhook(&self, request: &WebhookRequest, now: OffsetDateTime) -> Result<WebhookEvent, PaymentError> {
        webhook::verify_webhook(&self.config, request, now)
    }
}
