//! Stripe's error answers, server failures and time-outs, and secrets kept out of every error.

use std::time::Duration;

use domain::subscriptions::{PaymentError, PaymentGateway, Plan};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_no_secret, checkout_request, gateway, SECRET_KEY, SESSION_CREATED};

/// The error of a checkout against a server that always answers `status` with `body`.
async fn checkout_error(status: u16, body: &str) -> PaymentError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"))
        .mount(&server)
        .await;
    gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap_err()
}

fn rejected(error: &PaymentError) -> (&str, &str) {
    match error {
        PaymentError::Rejected { code, message } => (code, message),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn client_errors_become_rejections_with_stripe_code_and_message() {
    let invalid = checkout_error(
        400,
        r#"{"error":{"type":"invalid_request_error","code":"resource_missing","param":"line_items[0][price]","message":"No such price: 'price_pro_monthly'"}}"#,
    )
    .await;
    assert_eq!(rejected(&invalid), ("resource_missing", "No such price: 'price_pro_monthly'"));

    let card = checkout_error(
        402,
        r#"{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}"#,
    )
    .await;
    assert_eq!(rejected(&card), ("card_declined", "Your card was declined."));

    // No `code`: the error type stands in.
    let reused = checkout_error(
        400,
        r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}"#,
    )
    .await;
    assert_eq!(rejected(&reused).0, "idempotency_error");

    let not_json = checkout_error(403, "<html>forbidden</html>").await;
    assert_eq!(rejected(&not_json).0, "http_403");
}

#[tokio::test]
async fn missing_objects_are_not_found() {
    let err = checkout_error(
        404,
        r#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such subscription"}}"#,
    )
    .await;
    assert!(matches!(err, PaymentError::NotFound), "{err:?}");
}

#[tokio::test]
async fn server_errors_are_retried_then_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string(r#"{"error":{"type":"api_error"}}"#))
        .expect(3)
        .mount(&server)
        .await;
    let err = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap_err();
    assert!(matches!(err, PaymentError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_error_stripe_says_not_to_retry_is_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("stripe-should-retry", "false")
                .set_body_string(r#"{"error":{"type":"api_error"}}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap_err();
    assert!(matches!(err, PaymentError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn rate_limits_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_string(r#"{"error":{"type":"rate_limit_error"}}"#))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SESSION_CREATED, "application/json"))
        .mount(&server)
        .await;
    let session = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap();
    assert_eq!(session.reference, "cs_test_a1B2c3D4e5F6g7H8");
}

#[tokio::test]
async fn a_time_out_is_unavailable() {
    let server = MockServer::start().await;
    // Longer than the test configuration's 500 ms time-out, on every attempt.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let err = gateway(&server).subscription("sub_1").await.unwrap_err();
    assert!(matches!(err, PaymentError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn an_undecodable_success_is_malformed() {
    let err = checkout_error(200, "not json").await;
    assert!(matches!(err, PaymentError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn no_error_shows_a_secret() {
    let echoes_key = format!(
        r#"{{"error":{{"type":"invalid_request_error","code":"{SECRET_KEY}","message":"Invalid API Key provided: {SECRET_KEY}"}}}}"#
    );
    let mut errors = vec![
        checkout_error(401, &echoes_key).await,
        checkout_error(400, &echoes_key).await,
        checkout_error(500, &echoes_key).await,
        checkout_error(200, &echoes_key).await,
    ];
    let unreachable = {
        let server = MockServer::start().await;
        let gateway = gateway(&server);
        drop(server);
        gateway.create_checkout(&checkout_request(Plan::Pro)).await.unwrap_err()
    };
    errors.push(unreachable);
    for error in &errors {
        let mut shown = format!("{error} | {error:?}");
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            shown.push_str(&format!(" | {cause} | {cause:?}"));
            source = cause.source();
        }
        assert_no_secret(&shown);
    }
    assert_eq!(rejected(&errors[0]).0, "authentication_error");
    assert!(rejected(&errors[1]).1.contains("[redacted]"));
}

#[tokio::test]
async fn debug_of_the_gateway_hides_the_secrets() {
    let server = MockServer::start().await;
    assert_no_secret(&format!("{:?}", gateway(&server)));
    assert_no_secret(&format!("{:?}", crate::support::config(&server)));
}
