//! Cancel (status `cancelled`), preapproval and payment reads, and their mapping.

use domain::subscriptions::{
    PaymentError, PaymentGateway, PaymentProvider, Plan, ProviderPaymentStatus, SubscriptionStatus,
};
use rust_decimal::Decimal;
use time::macros::datetime;
use wiremock::matchers::{body_json, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    gateway, user, ACCESS_TOKEN, PAYMENT_APPROVED, PAYMENT_ID, PREAPPROVAL_AUTHORIZED, PREAPPROVAL_CANCELLED,
    PREAPPROVAL_ID,
};

#[tokio::test]
async fn cancel_puts_status_cancelled_and_maps_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("/preapproval/{PREAPPROVAL_ID}")))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .and(header_exists("x-idempotency-key"))
        .and(body_json(serde_json::json!({"status": "cancelled"})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PREAPPROVAL_CANCELLED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let sub = gateway(&server).cancel(PREAPPROVAL_ID).await.unwrap();

    assert_eq!(sub.provider, PaymentProvider::Mercadopago);
    assert_eq!(sub.status, SubscriptionStatus::Canceled);
    assert!(!sub.cancel_at_period_end, "Mercado Pago cancels at once");
    assert_eq!(sub.observed_at, Some(datetime!(2024-11-20 08:30:00 -03:00)));
}

#[tokio::test]
async fn reads_a_preapproval() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/preapproval/{PREAPPROVAL_ID}")))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PREAPPROVAL_AUTHORIZED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let sub = gateway(&server).subscription(PREAPPROVAL_ID).await.unwrap();

    assert_eq!(sub.id, PREAPPROVAL_ID);
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.customer_id.as_deref(), Some("1234567890"), "numeric payer id as text");
    assert_eq!((sub.user_id, sub.plan), (Some(user()), Some(Plan::Max)));
    assert_eq!(sub.current_period_end, Some(datetime!(2024-12-04 10:00:00 -04:00)));
    assert_eq!(sub.observed_at, Some(datetime!(2024-11-04 10:05:12.345 -04:00)));
}

#[tokio::test]
async fn reads_a_payment_with_its_exact_amount() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/payments/{PAYMENT_ID}")))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PAYMENT_APPROVED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let payment = gateway(&server).payment(PAYMENT_ID).await.unwrap();

    assert_eq!(payment.id, PAYMENT_ID);
    assert_eq!(payment.status, ProviderPaymentStatus::Approved);
    assert_eq!(payment.amount, Decimal::new(199, 1));
    assert_eq!(payment.subscription_id.as_deref(), Some(PREAPPROVAL_ID));
    assert_eq!((payment.user_id, payment.plan), (Some(user()), Some(Plan::Pro)));
    assert_eq!(payment.observed_at, Some(datetime!(2024-11-04 11:02:06 -04:00)));
}

#[tokio::test]
async fn refused_and_refunded_payments_are_failed_and_unknown_statuses_malformed() {
    for (status, expected) in [
        ("rejected", Some(ProviderPaymentStatus::Failed)),
        ("refunded", Some(ProviderPaymentStatus::Refunded)),
        ("charged_back", Some(ProviderPaymentStatus::Refunded)),
        ("in_process", Some(ProviderPaymentStatus::Pending)),
        ("teleported", None),
    ] {
        let server = MockServer::start().await;
        let body = PAYMENT_APPROVED.replace(r#""status": "approved""#, &format!(r#""status": "{status}""#));
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let result = gateway(&server).payment(PAYMENT_ID).await;
        match expected {
            Some(expected) => assert_eq!(result.unwrap().status, expected, "{status}"),
            None => assert!(matches!(result, Err(PaymentError::Malformed(_))), "{status}"),
        }
    }
}

#[tokio::test]
async fn ids_that_could_change_the_path_never_reach_mercado_pago() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let gateway = gateway(&server);
    for id in ["", "../v1/payments/1", "1?x=2", "1/2"] {
        assert!(gateway.payment(id).await.is_err(), "{id}");
        assert!(gateway.subscription(id).await.is_err(), "{id}");
        assert!(gateway.cancel(id).await.is_err(), "{id}");
    }
}

#[tokio::test]
async fn cancel_payment_puts_status_cancelled_and_a_paid_one_is_rejected() {
    let server = MockServer::start().await;
    let mut cancelled: serde_json::Value = serde_json::from_str(PAYMENT_APPROVED).unwrap();
    cancelled["status"] = serde_json::json!("cancelled");
    cancelled["status_detail"] = serde_json::json!("by_collector");
    Mock::given(method("PUT"))
        .and(path(format!("/v1/payments/{PAYMENT_ID}")))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .and(header_exists("x-idempotency-key"))
        .and(body_json(serde_json::json!({"status": "cancelled"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(cancelled))
        .expect(1)
        .mount(&server)
        .await;
    let payment = gateway(&server).cancel_payment(PAYMENT_ID).await.unwrap();
    assert_eq!((payment.id.as_str(), payment.status), (PAYMENT_ID, ProviderPaymentStatus::Failed));

    let paid = MockServer::start().await;
    let refusal =
        r#"{"status":400,"error":"bad_request","message":"Invalid operation: payment is not pending","cause":[]}"#;
    Mock::given(method("PUT"))
        .and(path(format!("/v1/payments/{PAYMENT_ID}")))
        .respond_with(ResponseTemplate::new(400).set_body_raw(refusal, "application/json"))
        .mount(&paid)
        .await;
    let refused = gateway(&paid).cancel_payment(PAYMENT_ID).await;
    assert!(matches!(refused, Err(PaymentError::Rejected { .. })), "{refused:?}");
}
