//! `x-signature` verification (manifest `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`) and the
//! rule that a notification is only a pointer: its subject carries ids, never state from the body.

use std::time::Duration;

use domain::subscriptions::{
    PaymentError, PaymentGateway, PaymentProvider, WebhookEvent, WebhookRequest, WebhookSubject,
};
use infrastructure::payments::mercadopago::{sign_manifest, signature_manifest, MercadoPagoConfig, MercadoPagoGateway};
use time::macros::datetime;
use time::OffsetDateTime;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    config, notification, NOTIFICATION_PAYMENT, NOTIFICATION_PREAPPROVAL, PAYMENT_ID, PREAPPROVAL_ID, WEBHOOK_SECRET,
};

const REQUEST_ID: &str = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e";
const TS: &str = "1742505638683";

fn now() -> OffsetDateTime {
    datetime!(2025-03-20 21:20:39 UTC)
}

/// `ts=…,v1=…` for `data_id` signed with `secret`.
fn signature(secret: &str, data_id: &str, request_id: &str, ts: &str) -> String {
    let manifest = signature_manifest(Some(data_id), Some(request_id), Some(ts));
    format!("ts={ts},v1={}", sign_manifest(secret, &manifest))
}

/// A gateway on a server that must never be called: verifying a webhook fetches nothing.
async fn gateway_with(adjust: impl FnOnce(&mut MercadoPagoConfig)) -> (MercadoPagoGateway, MockServer) {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let mut config = config(&server);
    adjust(&mut config);
    (MercadoPagoGateway::new(config).unwrap(), server)
}

fn signed_payment(body: &str) -> WebhookRequest {
    let sig = signature(WEBHOOK_SECRET, PAYMENT_ID, REQUEST_ID, TS);
    notification(body, PAYMENT_ID, "payment", REQUEST_ID, Some(&sig))
}

fn invalid(result: Result<WebhookEvent, PaymentError>) -> bool {
    matches!(result, Err(PaymentError::InvalidSignature(_)))
}

#[tokio::test]
async fn the_reference_vector_verifies_with_the_id_as_received_or_lower_cased() {
    let (gateway, _server) = gateway_with(|c| c.webhook_secret = "your_secret_key_here".into()).await;
    let header = "ts=1742505638683,v1=633f91233312dd391ec75fa0bea539cfc2d6c4918873305b84a96cc1c58db71c";
    let body = r#"{"id":"evt-order-1","type":"order","action":"order.processed","data":{"id":"ORD01JQ4S4KY8HWQ6NA5PXB65B3D3"}}"#;
    let request_id = "2066ca19-c6f1-498a-be75-1923005edd06";
    for data_id in ["ORD01JQ4S4KY8HWQ6NA5PXB65B3D3", "ord01jq4s4ky8hwq6na5pxb65b3d3"] {
        let request = notification(body, data_id, "order", request_id, Some(header));
        let event = gateway.verify_webhook(&request, now()).unwrap();
        assert_eq!((event.event_id.as_str(), event.subject), ("evt-order-1", WebhookSubject::Ignored));
    }
    let other = notification(body, "ORD01JQ4S4KY8HWQ6NA5PXB65B3D4", "order", request_id, Some(header));
    assert!(invalid(gateway.verify_webhook(&other, now())));
}

#[tokio::test]
async fn a_payment_notification_points_at_the_payment_to_read() {
    let (gateway, _server) = gateway_with(|_| {}).await;
    let event = gateway.verify_webhook(&signed_payment(NOTIFICATION_PAYMENT), now()).unwrap();
    assert_eq!(event.provider, PaymentProvider::Mercadopago);
    assert_eq!(event.event_id, "12345");
    assert_eq!(event.event_type, "payment");
    assert_eq!(event.created_at, Some(datetime!(2024-11-04 11:02:07 -04:00)));
    assert_eq!(event.subject, WebhookSubject::PaymentChanged { payment_id: PAYMENT_ID.into() });
}

#[tokio::test]
async fn a_preapproval_notification_points_at_the_preapproval_to_read() {
    let (gateway, _server) = gateway_with(|_| {}).await;
    let sig = signature(WEBHOOK_SECRET, PREAPPROVAL_ID, REQUEST_ID, TS);
    let request =
        notification(NOTIFICATION_PREAPPROVAL, PREAPPROVAL_ID, "subscription_preapproval", REQUEST_ID, Some(&sig));
    let event = gateway.verify_webhook(&request, now()).unwrap();
    assert_eq!(event.subject, WebhookSubject::PreapprovalChanged { preapproval_id: PREAPPROVAL_ID.into() });
}

#[tokio::test]
async fn state_claimed_by_the_body_is_never_taken() {
    let (gateway, _server) = gateway_with(|_| {}).await;
    // The body is not covered by the signature: whatever it claims, the subject is only the id.
    let forged = NOTIFICATION_PAYMENT.replacen('{', r#"{"status":"approved","transaction_amount":0.01,"external_reference":"botfleet:01JCZ8F3QW5N2V7K4M9T6R1XYC:MAX","#, 1);
    let event = gateway.verify_webhook(&signed_payment(&forged), now()).unwrap();
    assert_eq!(event.subject, WebhookSubject::PaymentChanged { payment_id: PAYMENT_ID.into() });
    // A body naming another resource than the signed query is refused.
    let other_id = NOTIFICATION_PAYMENT.replace(PAYMENT_ID, "11111111111");
    assert!(matches!(gateway.verify_webhook(&signed_payment(&other_id), now()), Err(PaymentError::Malformed(_))));
}

#[tokio::test]
async fn wrong_secret_and_tampered_signed_values_are_refused() {
    let (gateway, _server) = gateway_with(|_| {}).await;
    let wrong = signature("another-secret", PAYMENT_ID, REQUEST_ID, TS);
    assert!(invalid(
        gateway.verify_webhook(
            &notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, Some(&wrong)),
            now()
        )
    ));

    let good = signature(WEBHOOK_SECRET, PAYMENT_ID, REQUEST_ID, TS);
    let tampered_id = NOTIFICATION_PAYMENT.replace(PAYMENT_ID, "91234567891");
    let cases = [
        notification(&tampered_id, "91234567891", "payment", REQUEST_ID, Some(&good)),
        notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", "00000000-0000-0000-0000-000000000000", Some(&good)),
        notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, Some(&good.replace(TS, "1742505638684"))),
        notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, None),
        notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, Some("ts=1,v1=nothex")),
        notification(
            NOTIFICATION_PAYMENT,
            PAYMENT_ID,
            "payment",
            REQUEST_ID,
            Some(&format!("v1={}", &good[good.len() - 64..])),
        ),
    ];
    for (i, request) in cases.iter().enumerate() {
        assert!(invalid(gateway.verify_webhook(request, now())), "case {i}");
    }
}

#[tokio::test]
async fn any_of_several_v1_signatures_may_match() {
    let (gateway, _server) = gateway_with(|_| {}).await;
    let good = signature(WEBHOOK_SECRET, PAYMENT_ID, REQUEST_ID, TS);
    let bad = signature("rolled-away", PAYMENT_ID, REQUEST_ID, TS);
    let (good_v1, bad_v1) = (&good[good.len() - 64..], &bad[bad.len() - 64..]);
    let both = format!("ts={TS},v1={bad_v1},v1={good_v1}");
    assert!(gateway
        .verify_webhook(&notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, Some(&both)), now())
        .is_ok());
    let neither = format!("ts={TS},v1={bad_v1},v1={bad_v1}");
    assert!(invalid(gateway.verify_webhook(
        &notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, Some(&neither)),
        now()
    )));
}

#[tokio::test]
async fn a_stale_timestamp_is_refused_when_an_age_limit_is_set() {
    let (gateway, _server) = gateway_with(|c| c.max_signature_age = Some(Duration::from_secs(300))).await;
    let signed_at = OffsetDateTime::from_unix_timestamp_nanos(1_742_505_638_683 * 1_000_000).unwrap();
    let request = signed_payment(NOTIFICATION_PAYMENT);
    assert!(gateway.verify_webhook(&request, signed_at + time::Duration::seconds(299)).is_ok());
    assert!(invalid(gateway.verify_webhook(&request, signed_at + time::Duration::seconds(301))));
    assert!(invalid(gateway.verify_webhook(&request, signed_at - time::Duration::seconds(301))));
    // Older docs send seconds: the same instant in seconds is read as such.
    let seconds = signature(WEBHOOK_SECRET, PAYMENT_ID, REQUEST_ID, "1742505638");
    let request = notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, Some(&seconds));
    assert!(gateway.verify_webhook(&request, signed_at).is_ok());
    assert!(invalid(gateway.verify_webhook(&request, signed_at + time::Duration::hours(1))));
}

#[tokio::test]
async fn unsigned_notifications_are_refused_unless_the_switch_allows_a_preapproval_re_read() {
    let unsigned_preapproval =
        notification(NOTIFICATION_PREAPPROVAL, PREAPPROVAL_ID, "subscription_preapproval", REQUEST_ID, None);
    let unsigned_payment = notification(NOTIFICATION_PAYMENT, PAYMENT_ID, "payment", REQUEST_ID, None);
    let (strict, _s) = gateway_with(|_| {}).await;
    assert!(invalid(strict.verify_webhook(&unsigned_preapproval, now())));

    let (lenient, _l) = gateway_with(|c| c.accept_unsigned_preapproval_notifications = true).await;
    let event = lenient.verify_webhook(&unsigned_preapproval, now()).unwrap();
    assert_eq!(event.subject, WebhookSubject::PreapprovalChanged { preapproval_id: PREAPPROVAL_ID.into() });
    assert!(event.event_id.starts_with("unsigned:"), "a forged one cannot shadow a signed event id");
    assert!(invalid(lenient.verify_webhook(&unsigned_payment, now())));
    // A present but wrong signature is refused even then.
    let wrong = signature("another-secret", PREAPPROVAL_ID, REQUEST_ID, TS);
    let forged =
        notification(NOTIFICATION_PREAPPROVAL, PREAPPROVAL_ID, "subscription_preapproval", REQUEST_ID, Some(&wrong));
    assert!(invalid(lenient.verify_webhook(&forged, now())));
}
