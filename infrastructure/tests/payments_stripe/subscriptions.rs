//! Cancel at period end, cancel at once (account deletion), subscription reads and their mapping
//! in both API shapes.

use domain::subscriptions::{PaymentError, PaymentGateway, PaymentProvider, Plan, SubscriptionStatus};
use time::OffsetDateTime;
use wiremock::matchers::{body_string, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{gateway, user, SECRET_KEY, SUBSCRIPTION_BASIL, SUBSCRIPTION_LEGACY};

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(seconds).unwrap()
}

#[tokio::test]
async fn cancel_sets_cancel_at_period_end_and_maps_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/subscriptions/sub_1PzBasil0000000000000001"))
        .and(header("authorization", format!("Bearer {SECRET_KEY}").as_str()))
        .and(header_exists("idempotency-key"))
        .and(body_string("cancel_at_period_end=true"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SUBSCRIPTION_BASIL, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let sub = gateway(&server).cancel("sub_1PzBasil0000000000000001").await.unwrap();

    assert_eq!(sub.provider, PaymentProvider::Stripe);
    assert_eq!(sub.id, "sub_1PzBasil0000000000000001");
    assert_eq!(sub.customer_id.as_deref(), Some("cus_Qabc123"));
    assert_eq!(sub.user_id, Some(user()));
    // The billed price says MAX; the metadata copied at checkout (PRO) is stale after a switch.
    assert_eq!(sub.plan, Some(Plan::Max));
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert!(sub.cancel_at_period_end);
    // 2025-03-31.basil: the period end lives on the item.
    assert_eq!(sub.current_period_end, Some(at(1_702_592_000)));
    assert_eq!(sub.observed_at, None);
}

#[tokio::test]
async fn cancel_now_deletes_the_subscription_without_a_body_or_key() {
    let server = MockServer::start().await;
    let canceled = SUBSCRIPTION_BASIL.replacen("\"status\": \"active\"", "\"status\": \"canceled\"", 1);
    Mock::given(method("DELETE"))
        .and(path("/v1/subscriptions/sub_1PzBasil0000000000000001"))
        .and(header("authorization", format!("Bearer {SECRET_KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(canceled, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let sub = gateway(&server).cancel_now("sub_1PzBasil0000000000000001").await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert!(received[0].body.is_empty(), "Stripe's cancel takes no parameters");
    assert!(received[0].headers.get("idempotency-key").is_none(), "Stripe ignores keys on DELETE");
    assert_eq!((sub.id.as_str(), sub.status), ("sub_1PzBasil0000000000000001", SubscriptionStatus::Canceled));
}

#[tokio::test]
async fn reads_a_subscription_in_the_older_shape() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/subscriptions/sub_1OldShape00000000000001"))
        .and(header("authorization", format!("Bearer {SECRET_KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SUBSCRIPTION_LEGACY, "application/json"))
        .expect(1)
        .mount(&server)
        .await;

    let sub = gateway(&server).subscription("sub_1OldShape00000000000001").await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert!(received[0].body.is_empty() && received[0].headers.get("idempotency-key").is_none());
    assert_eq!(sub.customer_id.as_deref(), Some("cus_Qold456"), "an expanded customer yields its id");
    assert_eq!(sub.status, SubscriptionStatus::PastDue);
    assert_eq!(sub.current_period_end, Some(at(1_702_592_000)));
    assert!(!sub.cancel_at_period_end);
    // Unknown price: user and plan come from the external reference in metadata.
    assert_eq!((sub.user_id, sub.plan), (Some(user()), Some(Plan::Pro)));
}

#[tokio::test]
async fn an_unknown_status_is_refused_rather_than_guessed() {
    let server = MockServer::start().await;
    let body = SUBSCRIPTION_LEGACY.replace("\"past_due\"", "\"hibernating\"");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let err = gateway(&server).subscription("sub_1OldShape00000000000001").await.unwrap_err();
    assert!(matches!(err, PaymentError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn ids_that_could_change_the_path_never_reach_stripe() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let gateway = gateway(&server);
    for id in ["", "../v1/customers", "sub_1?expand[]=x", "sub 1"] {
        assert!(matches!(gateway.subscription(id).await, Err(PaymentError::NotFound)), "{id}");
        assert!(matches!(gateway.cancel(id).await, Err(PaymentError::NotFound)), "{id}");
        assert!(matches!(gateway.cancel_now(id).await, Err(PaymentError::NotFound)), "{id}");
    }
}

#[tokio::test]
async fn stripe_has_no_payment_reads() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    assert!(matches!(gateway(&server).payment("py_1").await, Err(PaymentError::NotFound)));
}
