//! Preapproval creation: JSON fields, exact BRL amounts, authentication and idempotency keys.

use domain::subscriptions::{PaymentError, PaymentGateway, Plan};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    checkout_request, gateway, idempotency_key, json_of, ACCESS_TOKEN, PREAPPROVAL_CREATED, PREAPPROVAL_ID, USER,
};

async fn server_creating_preapprovals() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/preapproval"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(PREAPPROVAL_CREATED, "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn creates_a_pending_monthly_brl_preapproval_and_answers_its_init_point() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/preapproval"))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(PREAPPROVAL_CREATED, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let session = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap();

    assert_eq!(session.reference, PREAPPROVAL_ID);
    assert_eq!(
        session.url,
        format!("https://www.mercadopago.com.br/subscriptions/checkout?preapproval_id={PREAPPROVAL_ID}")
    );
    let received = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        json_of(received),
        serde_json::json!({
            "reason": "botfleet PRO",
            "external_reference": format!("botfleet:{USER}:PRO"),
            "payer_email": "ana@example.com",
            "back_url": "https://app.example.com/billing/ok",
            "auto_recurring": {
                "frequency": 1,
                "frequency_type": "months",
                "transaction_amount": 19.9,
                "currency_id": "BRL"
            },
            "status": "pending"
        })
    );
    // The amount is written from the decimal's text, never through a float.
    let raw = String::from_utf8(received.body.clone()).unwrap();
    assert!(raw.contains(r#""transaction_amount":19.9,"#), "{raw}");
    let key = idempotency_key(received);
    assert!(key.starts_with("botfleet-mp-preapproval-"), "{key}");
}

#[tokio::test]
async fn max_is_billed_97_reais() {
    let server = server_creating_preapprovals().await;
    gateway(&server).create_checkout(&checkout_request(Plan::Max)).await.unwrap();
    let body = json_of(&server.received_requests().await.unwrap()[0]);
    assert_eq!(body["auto_recurring"]["transaction_amount"], serde_json::json!(97));
    assert_eq!(body["external_reference"], format!("botfleet:{USER}:MAX"));
}

#[tokio::test]
async fn the_same_request_carries_the_same_key_and_another_request_another() {
    let server = server_creating_preapprovals().await;
    let gateway = gateway(&server);
    gateway.create_checkout(&checkout_request(Plan::Pro)).await.unwrap();
    gateway.create_checkout(&checkout_request(Plan::Pro)).await.unwrap();
    gateway.create_checkout(&checkout_request(Plan::Max)).await.unwrap();
    let keys: Vec<String> = server.received_requests().await.unwrap().iter().map(idempotency_key).collect();
    assert_eq!(keys[0], keys[1]);
    assert_ne!(keys[0], keys[2]);
}

#[tokio::test]
async fn a_retry_after_a_server_error_repeats_key_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(PREAPPROVAL_CREATED, "application/json"))
        .mount(&server)
        .await;
    gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_eq!(idempotency_key(&received[0]), idempotency_key(&received[1]));
    assert_eq!(received[0].body, received[1].body);
}

#[tokio::test]
async fn the_free_plan_has_no_checkout() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201)).expect(0).mount(&server).await;
    let err = gateway(&server).create_checkout(&checkout_request(Plan::Free)).await.unwrap_err();
    assert!(matches!(err, PaymentError::Rejected { .. }), "{err:?}");
}

#[tokio::test]
async fn a_preapproval_without_init_point_is_malformed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_string(format!(r#"{{"id":"{PREAPPROVAL_ID}","status":"pending"}}"#)),
        )
        .mount(&server)
        .await;
    let err = gateway(&server).create_checkout(&checkout_request(Plan::Pro)).await.unwrap_err();
    assert!(matches!(err, PaymentError::Malformed(_)), "{err:?}");
}
