//! Checkout Session creation: form fields, authentication, pinned version and idempotency keys.

use domain::subscriptions::{external_reference, PaymentError, PaymentGateway, Plan};
use infrastructure::payments::stripe::STRIPE_API_VERSION;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    checkout_request, field, form_of, gateway, user, PRICE_MAX, PRICE_PRO, SECRET_KEY, SESSION_CREATED,
};

async fn server_answering_sessions() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SESSION_CREATED, "application/json"))
        .mount(&server)
        .await;
    server
}

fn idempotency_key(request: &wiremock::Request) -> String {
    request.headers.get("idempotency-key").expect("idempotency key sent").to_str().unwrap().to_owned()
}

#[tokio::test]
async fn creates_a_subscription_mode_session_and_answers_its_id_and_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(header("authorization", format!("Bearer {SECRET_KEY}").as_str()))
        .and(header("stripe-version", STRIPE_API_VERSION))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SESSION_CREATED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let session = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap();

    assert_eq!(session.reference, "cs_test_a1B2c3D4e5F6g7H8");
    assert!(session.url.starts_with("https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8"));
    let received = server.received_requests().await.unwrap();
    let form = form_of(&received[0]);
    let user = user().to_string();
    let reference = external_reference(crate::support::user(), Plan::Pro);
    let expected = [
        ("mode", "subscription"),
        ("line_items[0][price]", PRICE_PRO),
        ("line_items[0][quantity]", "1"),
        ("success_url", "https://app.example.com/billing/ok?session_id={CHECKOUT_SESSION_ID}"),
        ("cancel_url", "https://app.example.com/billing/cancel"),
        ("client_reference_id", user.as_str()),
        ("customer_email", "ana@example.com"),
        ("metadata[user_id]", user.as_str()),
        ("metadata[plan]", "PRO"),
        ("metadata[external_reference]", reference.as_str()),
        ("subscription_data[metadata][user_id]", user.as_str()),
        ("subscription_data[metadata][plan]", "PRO"),
    ];
    for (name, value) in expected {
        assert_eq!(field(&form, name), Some(value), "field {name}");
    }
    let key = idempotency_key(&received[0]);
    assert!(key.starts_with("botfleet-stripe-checkout-") && key.len() <= 255, "{key}");
}

#[tokio::test]
async fn max_uses_the_max_price() {
    let server = server_answering_sessions().await;
    gateway(&server).create_checkout(&checkout_request(Plan::Max)).await.unwrap();
    let form = form_of(&server.received_requests().await.unwrap()[0]);
    assert_eq!(field(&form, "line_items[0][price]"), Some(PRICE_MAX));
    assert_eq!(field(&form, "metadata[plan]"), Some("MAX"));
}

#[tokio::test]
async fn the_same_request_always_carries_the_same_key_and_another_request_another() {
    let server = server_answering_sessions().await;
    let gateway = gateway(&server);
    let pro = checkout_request(Plan::Pro);
    gateway.create_checkout(&pro).await.unwrap();
    gateway.create_checkout(&pro).await.unwrap();
    gateway.create_checkout(&checkout_request(Plan::Max)).await.unwrap();
    let mut other_caller_key = checkout_request(Plan::Pro);
    other_caller_key.idempotency_key.push('2');
    gateway.create_checkout(&other_caller_key).await.unwrap();

    let keys: Vec<String> = server.received_requests().await.unwrap().iter().map(idempotency_key).collect();
    assert_eq!(keys[0], keys[1], "a repeated request must be recognised by Stripe");
    assert_ne!(keys[0], keys[2], "another plan is another request");
    assert_ne!(keys[0], keys[3], "another caller key is another request");
}

#[tokio::test]
async fn a_retry_after_a_server_error_repeats_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(500).set_body_string(r#"{"error":{"type":"api_error"}}"#))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SESSION_CREATED, "application/json"))
        .mount(&server)
        .await;

    let session = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap();

    assert_eq!(session.reference, "cs_test_a1B2c3D4e5F6g7H8");
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_eq!(idempotency_key(&received[0]), idempotency_key(&received[1]));
    assert_eq!(received[0].body, received[1].body);
}

#[tokio::test]
async fn the_free_plan_is_refused_without_calling_stripe() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let err = gateway(&server).create_checkout(&checkout_request(Plan::Free)).await.unwrap_err();
    assert!(matches!(err, PaymentError::Rejected { ref code, .. } if code == "plan_not_purchasable"), "{err:?}");
}

#[tokio::test]
async fn a_session_without_url_is_malformed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"cs_test_x","object":"checkout.session"}"#))
        .mount(&server)
        .await;
    let err = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap_err();
    assert!(matches!(err, PaymentError::Malformed(_)), "{err:?}");
}
