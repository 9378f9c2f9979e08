//! Mercado Pago's error answers, server failures and time-outs, and secrets kept out of every error.

use std::time::Duration;

use domain::subscriptions::{PaymentError, PaymentGateway, Plan};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_no_secret, checkout_request, config, gateway, notification, ACCESS_TOKEN, PAYMENT_ID};

async fn error_of_payment_read(status: u16, body: &str) -> PaymentError {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"))
        .mount(&server)
        .await;
    gateway(&server).payment(PAYMENT_ID).await.unwrap_err()
}

fn rejected(error: &PaymentError) -> (&str, &str) {
    match error {
        PaymentError::Rejected { code, message } => (code, message),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn client_errors_become_rejections_with_the_documented_fields() {
    let bad = error_of_payment_read(
        400,
        r#"{"status":400,"error":"bad_request","message":"invalid payer_email","cause":[{"code":2001,"description":"invalid payer_email","data":null}]}"#,
    )
    .await;
    assert_eq!(rejected(&bad), ("bad_request", "invalid payer_email"));
    let unauthorized = error_of_payment_read(401, "").await;
    assert_eq!(rejected(&unauthorized).0, "unauthorized");
}

#[tokio::test]
async fn unknown_resources_are_not_found() {
    let err =
        error_of_payment_read(404, r#"{"status":404,"error":"not_found","message":"Payment not found","cause":[]}"#)
            .await;
    assert!(matches!(err, PaymentError::NotFound), "{err:?}");
}

#[tokio::test]
async fn server_errors_are_retried_then_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).expect(3).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).expect(3).mount(&server).await;
    let gateway = gateway(&server);
    assert!(matches!(gateway.payment(PAYMENT_ID).await, Err(PaymentError::Unavailable(_))));
    let err = gateway.create_checkout(&checkout_request(Plan::Pro)).await.unwrap_err();
    assert!(matches!(err, PaymentError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_time_out_is_unavailable() {
    let server = MockServer::start().await;
    // Longer than the test configuration's 500 ms time-out, on every attempt.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let err = gateway(&server).subscription("2c93").await.unwrap_err();
    assert!(matches!(err, PaymentError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn no_error_shows_a_secret() {
    let echo = format!(r#"{{"status":401,"error":"unauthorized","message":"invalid access token {ACCESS_TOKEN}"}}"#);
    let mut errors = vec![
        error_of_payment_read(401, &echo).await,
        error_of_payment_read(400, &format!("token={ACCESS_TOKEN}")).await,
        error_of_payment_read(500, &echo).await,
        error_of_payment_read(200, &echo).await,
    ];
    let server = MockServer::start().await;
    let gateway = gateway(&server);
    let bad_signature = notification("{}", PAYMENT_ID, "payment", "r", Some("ts=1,v1=00"));
    errors.push(gateway.verify_webhook(&bad_signature, time::OffsetDateTime::UNIX_EPOCH).unwrap_err());
    drop(server);
    errors.push(gateway.payment(PAYMENT_ID).await.unwrap_err());
    for error in &errors {
        let mut shown = format!("{error} | {error:?}");
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            shown.push_str(&format!(" | {cause} | {cause:?}"));
            source = cause.source();
        }
        assert_no_secret(&shown);
    }
    assert!(rejected(&errors[0]).1.contains("<redacted>"));
}

#[tokio::test]
async fn debug_of_the_gateway_hides_the_secrets() {
    let server = MockServer::start().await;
    assert_no_secret(&format!("{:?} {:?}", gateway(&server), config(&server)));
}
