//! `/api/webhooks/{stripe,mercadopago}`: payment-provider notifications. The signature is checked
//! on the exact bytes received before anything is parsed; each provider event is applied at most
//! once; a duplicate answers 200 and changes nothing.

use actix_web::{post, web, HttpRequest, HttpResponse};
use application::subscriptions::WebhookOutcome;
use domain::subscriptions::{PaymentProvider, WebhookRequest};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::error::ApiError;
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "webhooks";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Payment-provider notifications (signed; called by Stripe and Mercado Pago, not by clients).",
    configure,
};

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(stripe_webhook).service(mercadopago_webhook);
}

/// What the delivery did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAck {
    /// `applied`, `unchanged`, `ignored` or `duplicate`.
    #[schema(example = "applied")]
    pub outcome: String,
}

fn webhook_request(req: &HttpRequest, body: web::Bytes) -> WebhookRequest {
    let headers = req
        .headers()
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_ascii_lowercase(), value.to_str().ok()?.to_owned())))
        .collect();
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    WebhookRequest { body: body.to_vec(), headers, query }
}

async fn handle(
    state: &AppState,
    provider: PaymentProvider,
    req: &HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let outcome = state.subscriptions.handle_webhook(provider, &webhook_request(req, body)).await?;
    let outcome = match outcome {
        WebhookOutcome::Applied => "applied",
        WebhookOutcome::Unchanged => "unchanged",
        WebhookOutcome::Ignored => "ignored",
        WebhookOutcome::Duplicate => "duplicate",
    };
    Ok(HttpResponse::Ok().json(WebhookAck { outcome: outcome.into() }))
}

/// Stripe events, verified with `Stripe-Signature` (HMAC-SHA256 of `timestamp.body`, 300 s
/// tolerance): checkout.session.completed, customer.subscription.updated/deleted,
/// invoice.paid, invoice.payment_failed. Any 5xx (also a store that cannot be reached) makes
/// Stripe retry.
#[utoipa::path(
    tag = TAG,
    request_body(content = String, description = "The Stripe event, exactly as sent", content_type = "application/json"),
    params(("Stripe-Signature" = String, Header, description = "`t=<unix>,v1=<hex hmac>[,v1=...]`")),
    responses(
        (status = 200, description = "Received (also for duplicates and events not acted on)", body = WebhookAck),
    )
)]
#[post("/api/webhooks/stripe")]
pub async fn stripe_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    handle(&state, PaymentProvider::Stripe, &req, body).await
}

/// Mercado Pago notifications, verified with `x-signature` (`ts`, `v1`) over
/// `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`. The body is never trusted: the payment or
/// preapproval it names is read from Mercado Pago's API. Any 5xx (also a store that cannot be
/// reached) makes Mercado Pago retry.
#[utoipa::path(
    tag = TAG,
    request_body(content = String, description = "The notification, exactly as sent", content_type = "application/json"),
    params(
        ("x-signature" = String, Header, description = "`ts=<unix>,v1=<hex hmac>`"),
        ("x-request-id" = String, Header, description = "Part of the signed manifest"),
    ),
    responses(
        (status = 200, description = "Received (also for duplicates and events not acted on)", body = WebhookAck),
    )
)]
#[post("/api/webhooks/mercadopago")]
pub async fn mercadopago_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    handle(&state, PaymentProvider::Mercadopago, &req, body).await
}
