//! Verification and parsing of Mercado Pago webhook notifications.
//!
//! A notification is only a pointer (`type` + `data.id`): the subject tells the handler which object to
//! re-read from the API, and nothing else in the body is ever taken as state.
//!
//! The signed `data.id` is the query parameter `data.id`; the body's `data.id` is used only when the
//! query lacks it (some deliveries carry it only in the body), and a body `data.id` that disagrees with
//! the query one is refused. The subject always carries the id that was signed.
//!
//! Unsigned notifications are refused unless `accept_unsigned_preapproval_notifications` is on, and then
//! only those of type `subscription_preapproval`: they yield `PreapprovalChanged` (a re-read) and an
//! event id prefixed `unsigned:`, so a forged one can never take the id of a real signed notification
//! and have the real one skipped as a duplicate.

use serde_json::Value;
use time::OffsetDateTime;

use domain::subscriptions::{PaymentError, PaymentProvider, WebhookEvent, WebhookRequest, WebhookSubject};

use super::config::MercadoPagoConfig;
use super::signature::{parse_header, verify};
use super::wire::{id_text, is_valid_id, timestamp};

/// Notification type of payments.
const PAYMENT: &str = "payment";
/// Notification type of preapprovals (subscriptions).
const PREAPPROVAL: &str = "subscription_preapproval";

/// Checks the signature (or the unsigned-preapproval switch), then parses the notification.
pub(super) fn verify_webhook(
    config: &MercadoPagoConfig,
    request: &WebhookRequest,
    now: OffsetDateTime,
) -> Result<WebhookEvent, PaymentError> {
    // Parsed before the check only to find `data.id` when the query lacks it; trusted after it.
    let body: Option<Value> = serde_json::from_slice(&request.body).ok();
    let body_data_id = body.as_ref().and_then(|b| b.pointer("/data/id")).and_then(id_text);
    let query_data_id = request.query_param("data.id").map(str::trim).filter(|v| !v.is_empty());
    let data_id = query_data_id.map(str::to_owned).or(body_data_id.clone());

    let Some(raw_signature) = request.header("x-signature") else {
        return unsigned(config, request, body, data_id);
    };
    if config.webhook_secret.is_empty() {
        return Err(PaymentError::NotConfigured);
    }
    let header = parse_header(raw_signature)?;
    check_age(config, &header.ts, now)?;
    let request_id = request.header("x-request-id").map(str::trim).filter(|v| !v.is_empty());
    if !verify(&config.webhook_secret, &header, data_id.as_deref(), request_id) {
        return Err(PaymentError::InvalidSignature("x-signature does not match".into()));
    }

    let body = body.ok_or_else(|| PaymentError::Malformed("notification body is not JSON".into()))?;
    if let (Some(query), Some(in_body)) = (query_data_id, body_data_id.as_deref()) {
        if !query.eq_ignore_ascii_case(in_body) {
            return Err(PaymentError::Malformed(format!("data.id {in_body} in the body differs from {query} signed")));
        }
    }
    let kind = notification_type(request, &body);
    let subject = match kind.as_deref() {
        Some(PAYMENT) => WebhookSubject::PaymentChanged { payment_id: resource_id(data_id.as_deref())? },
        Some(PREAPPROVAL) => WebhookSubject::PreapprovalChanged { preapproval_id: resource_id(data_id.as_deref())? },
        _ => WebhookSubject::Ignored,
    };
    Ok(event(&body, kind, data_id.as_deref(), "", subject))
}

/// An unsigned notification: refused, except a `subscription_preapproval` one when the switch is on.
fn unsigned(
    config: &MercadoPagoConfig,
    request: &WebhookRequest,
    body: Option<Value>,
    data_id: Option<String>,
) -> Result<WebhookEvent, PaymentError> {
    let missing = || PaymentError::InvalidSignature("missing x-signature header".into());
    if !config.accept_unsigned_preapproval_notifications {
        return Err(missing());
    }
    let body = body.ok_or_else(missing)?;
    let kind = notification_type(request, &body);
    if kind.as_deref() != Some(PREAPPROVAL) {
        return Err(missing());
    }
    let preapproval_id = resource_id(data_id.as_deref())?;
    tracing::info!(preapproval_id, "accepting an unsigned subscription_preapproval notification as a re-read");
    let subject = WebhookSubject::PreapprovalChanged { preapproval_id };
    Ok(event(&body, kind, data_id.as_deref(), "unsigned:", subject))
}

/// Refuses a signature whose `ts` is outside `max_signature_age` of `now`, when that limit is set.
fn check_age(config: &MercadoPagoConfig, ts: &str, now: OffsetDateTime) -> Result<(), PaymentError> {
    let Some(max_age) = config.max_signature_age else { return Ok(()) };
    let ts: i128 = ts.parse().map_err(|_| PaymentError::InvalidSignature("x-signature ts is not a number".into()))?;
    // Current docs send milliseconds, older examples seconds; 10^11 s is the year 5138.
    let signed_ms = if ts >= 100_000_000_000 { ts } else { ts.saturating_mul(1000) };
    let now_ms = now.unix_timestamp_nanos() / 1_000_000;
    if (now_ms - signed_ms).unsigned_abs() > max_age.as_millis() {
        return Err(PaymentError::InvalidSignature("x-signature ts is outside the accepted age".into()));
    }
    Ok(())
}

/// The notification's type: the body's `type`, else the query's `type` or `topic`.
fn notification_type(request: &WebhookRequest, body: &Value) -> Option<String> {
    body.get("type")
        .and_then(Value::as_str)
        .or_else(|| request.query_param("type"))
        .or_else(|| request.query_param("topic"))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The resource id a subject points at; it ends up in an API path, so it must look like an id.
fn resource_id(data_id: Option<&str>) -> Result<String, PaymentError> {
    match data_id {
        Some(id) if is_valid_id(id) => Ok(id.to_owned()),
        Some(id) => Err(PaymentError::Malformed(format!("data.id `{id}` is not a Mercado Pago id"))),
        None => Err(PaymentError::Malformed("notification without data.id".into())),
    }
}

/// Builds the event: `id` is the event id (else `type:data.id:action`), `type` (else `action`) the type.
fn event(
    body: &Value,
    kind: Option<String>,
    data_id: Option<&str>,
    prefix: &str,
    subject: WebhookSubject,
) -> WebhookEvent {
    let action = body.get("action").and_then(Value::as_str).filter(|a| !a.is_empty());
    let event_id = body.get("id").and_then(id_text).unwrap_or_else(|| {
        format!(
            "{}:{}:{}",
            kind.as_deref().unwrap_or_default(),
            data_id.unwrap_or_default(),
            action.unwrap_or_default()
        )
    });
    WebhookEvent {
        provider: PaymentProvider::Mercadopago,
        event_id: format!("{prefix}{event_id}"),
        event_type: kind.or_else(|| action.map(str::to_owned)).unwrap_or_else(|| "unknown".to_owned()),
        created_at: timestamp(body.get("date_created").and_then(Value::as_str)),
        subject,
    }
}
