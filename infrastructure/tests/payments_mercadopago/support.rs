//! Shared fixtures: a gateway pointed at a mock server, a checkout request, the documented payloads.

use std::time::Duration;

use domain::shared::ids::UserId;
use domain::subscriptions::{CheckoutRequest, Plan, WebhookRequest};
use infrastructure::payments::mercadopago::{MercadoPagoConfig, MercadoPagoGateway};
use wiremock::MockServer;

/// The access token the gateway is configured with.
pub const ACCESS_TOKEN: &str = "APP_USR-5551234567890-110410-TopSecretToken-987654321";
/// The webhook secret.
pub const WEBHOOK_SECRET: &str = "mp-webhook-TopSecret-4f1c";
/// The user id used in every fixture.
pub const USER: &str = "01JCZ8F3QW5N2V7K4M9T6R1XYB";
/// The preapproval id used in every fixture.
pub const PREAPPROVAL_ID: &str = "2c9380848f3b4a8f018f4b2a1c3d0123";
/// The payment id used in every fixture.
pub const PAYMENT_ID: &str = "91234567890";

/// `POST /preapproval` answer (status `pending`, with `init_point`).
pub const PREAPPROVAL_CREATED: &str = include_str!("../fixtures/mercadopago/preapproval_created.json");
/// `GET /preapproval/{id}` answer of an authorized MAX subscription.
pub const PREAPPROVAL_AUTHORIZED: &str = include_str!("../fixtures/mercadopago/preapproval_authorized.json");
/// `PUT /preapproval/{id}` answer after cancelling.
pub const PREAPPROVAL_CANCELLED: &str = include_str!("../fixtures/mercadopago/preapproval_cancelled.json");
/// `GET /v1/payments/{id}` answer of an approved subscription payment.
pub const PAYMENT_APPROVED: &str = include_str!("../fixtures/mercadopago/payment_approved.json");
/// A `payment` notification body.
pub const NOTIFICATION_PAYMENT: &str = include_str!("../fixtures/mercadopago/notification_payment.json");
/// A `subscription_preapproval` notification body.
pub const NOTIFICATION_PREAPPROVAL: &str = include_str!("../fixtures/mercadopago/notification_preapproval.json");

/// The configuration used by the tests, pointed at `server`, with a short time-out and back-off.
pub fn config(server: &MockServer) -> MercadoPagoConfig {
    let mut config = MercadoPagoConfig::new(ACCESS_TOKEN, WEBHOOK_SECRET);
    config.api_base = server.uri();
    config.timeout = Duration::from_millis(500);
    config.retry_backoff = Duration::from_millis(1);
    config
}

/// A gateway pointed at `server`.
pub fn gateway(server: &MockServer) -> MercadoPagoGateway {
    MercadoPagoGateway::new(config(server)).expect("valid test configuration")
}

/// The fixture user.
pub fn user() -> UserId {
    UserId::parse(USER).expect("fixture user id is a ULID")
}

/// A checkout of `plan` for the fixture user.
pub fn checkout_request(plan: Plan) -> CheckoutRequest {
    CheckoutRequest {
        user_id: user(),
        email: "ana@example.com".to_owned(),
        plan,
        period: domain::subscriptions::BillingPeriod::Monthly,
        success_url: "https://app.example.com/billing/ok".to_owned(),
        cancel_url: "https://app.example.com/billing/cancel".to_owned(),
        idempotency_key: "checkout-01JCZ8F3QW5N2V7K4M9T6R1XYB-1".to_owned(),
        amount: None,
        promotion_code: None,
        trial_days: None,
    }
}

/// A notification as delivered: `POST <url>?data.id=…&type=…` with `x-signature` and `x-request-id`.
pub fn notification(
    body: &str,
    data_id: &str,
    kind: &str,
    request_id: &str,
    signature: Option<&str>,
) -> WebhookRequest {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    headers.push(("x-request-id".to_owned(), request_id.to_owned()));
    if let Some(signature) = signature {
        headers.push(("x-signature".to_owned(), signature.to_owned()));
    }
    WebhookRequest {
        body: body.as_bytes().to_vec(),
        headers,
        query: vec![("data.id".to_owned(), data_id.to_owned()), ("type".to_owned(), kind.to_owned())],
    }
}

/// The JSON body of a received request.
pub fn json_of(request: &wiremock::Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("JSON request body")
}

/// The `X-Idempotency-Key` of a received request.
pub fn idempotency_key(request: &wiremock::Request) -> String {
    request.headers.get("x-idempotency-key").expect("idempotency key sent").to_str().unwrap().to_owned()
}

/// Asserts that neither secret appears in `text`.
pub fn assert_no_secret(text: &str) {
    assert!(!text.contains(ACCESS_TOKEN), "access token leaked: {text}");
    assert!(!text.contains(WEBHOOK_SECRET), "webhook secret leaked: {text}");
}
