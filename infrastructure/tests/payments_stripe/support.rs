//! Shared fixtures: a gateway pointed at a mock server, a checkout request, the documented payloads.

use std::time::Duration;

use domain::shared::ids::UserId;
use domain::subscriptions::{CheckoutRequest, Plan};
use infrastructure::payments::stripe::{StripeConfig, StripeGateway};
use wiremock::MockServer;

/// The secret API key the gateway is configured with.
pub const SECRET_KEY: &str = "sk_test_51TopSecretKeyNeverShown";
/// The webhook endpoint secret.
pub const WEBHOOK_SECRET: &str = "whsec_test_secret";
/// Price ids configured for PRO and MAX.
pub const PRICE_PRO: &str = "price_pro_monthly";
/// See [`PRICE_PRO`].
pub const PRICE_MAX: &str = "price_max_monthly";
/// The user id used in every fixture.
pub const USER: &str = "01JCZ8F3QW5N2V7K4M9T6R1XYB";

/// `POST /v1/checkout/sessions` answer.
pub const SESSION_CREATED: &str = include_str!("../fixtures/stripe/checkout_session_created.json");
/// A subscription in the 2025-03-31.basil shape (period end on the item), cancelling at period end.
pub const SUBSCRIPTION_BASIL: &str = include_str!("../fixtures/stripe/subscription_basil.json");
/// A subscription in the older shape (top-level period end), expanded customer.
pub const SUBSCRIPTION_LEGACY: &str = include_str!("../fixtures/stripe/subscription_legacy.json");

/// Stripe's events, as delivered to the webhook endpoint.
pub mod events {
    /// `checkout.session.completed`.
    pub const CHECKOUT_COMPLETED: &str = include_str!("../fixtures/stripe/event_checkout_session_completed.json");
    /// `customer.subscription.updated`.
    pub const SUBSCRIPTION_UPDATED: &str = include_str!("../fixtures/stripe/event_subscription_updated.json");
    /// `customer.subscription.deleted`.
    pub const SUBSCRIPTION_DELETED: &str = include_str!("../fixtures/stripe/event_subscription_deleted.json");
    /// `invoice.paid`, basil shape (`parent.subscription_details`).
    pub const INVOICE_PAID: &str = include_str!("../fixtures/stripe/event_invoice_paid.json");
    /// `invoice.paid`, older shape (`invoice.subscription`).
    pub const INVOICE_PAID_LEGACY: &str = include_str!("../fixtures/stripe/event_invoice_paid_legacy.json");
    /// `invoice.payment_failed`.
    pub const INVOICE_PAYMENT_FAILED: &str = include_str!("../fixtures/stripe/event_invoice_payment_failed.json");
    /// `customer.created`, an event we do not act on.
    pub const CUSTOMER_CREATED: &str = include_str!("../fixtures/stripe/event_customer_created.json");
}

/// The configuration used by the tests, pointed at `server`, with a short time-out and back-off.
pub fn config(server: &MockServer) -> StripeConfig {
    let mut config = StripeConfig::new(SECRET_KEY, WEBHOOK_SECRET, PRICE_PRO, PRICE_MAX);
    config.api_base = server.uri();
    config.timeout = Duration::from_millis(500);
    config.retry_backoff = Duration::from_millis(1);
    config
}

/// A gateway pointed at `server`.
pub fn gateway(server: &MockServer) -> StripeGateway {
    StripeGateway::new(config(server)).expect("valid test configuration")
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
        success_url: "https://app.example.com/billing/ok?session_id={CHECKOUT_SESSION_ID}".to_owned(),
        cancel_url: "https://app.example.com/billing/cancel".to_owned(),
        idempotency_key: "checkout-01JCZ8F3QW5N2V7K4M9T6R1XYB-1".to_owned(),
        amount: None,
        promotion_code: None,
        trial_days: None,
    }
}

/// The form fields of a received request, decoded, in order.
pub fn form_of(request: &wiremock::Request) -> Vec<(String, String)> {
    let body = std::str::from_utf8(&request.body).expect("form bodies are ASCII");
    // A URL's query is parsed with the same x-www-form-urlencoded rules as a form body.
    let url = reqwest::Url::parse(&format!("http://form.invalid/?{body}")).expect("form body is a valid query");
    url.query_pairs().into_owned().collect()
}

/// The value of form field `name`, when sent once.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut values = form.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let first = values.next();
    assert!(values.next().is_none(), "field {name} sent twice");
    first
}

/// Asserts that neither secret appears in `text`.
pub fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET_KEY), "secret key leaked: {text}");
    assert!(!text.contains(WEBHOOK_SECRET), "webhook secret leaked: {text}");
}
