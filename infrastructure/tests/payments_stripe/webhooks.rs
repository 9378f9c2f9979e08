//! Webhook verification on the raw bytes (`Stripe-Signature`) and mapping of the documented events.

use domain::shared::clock::{Clock, FixedClock};
use domain::subscriptions::{
    PaymentError, PaymentGateway, PaymentProvider, Plan, SubscriptionStatus, WebhookEvent, WebhookRequest,
    WebhookSubject,
};
use infrastructure::payments::stripe::{signature_header, StripeGateway};
use time::{Duration, OffsetDateTime};
use wiremock::MockServer;

use crate::support::{events, gateway, user, WEBHOOK_SECRET};

const SIGNED_AT: i64 = 1_700_000_300;

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(seconds).unwrap()
}

fn request(body: &str, signature: &str) -> WebhookRequest {
    WebhookRequest {
        body: body.as_bytes().to_vec(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("stripe-signature".into(), signature.into()),
        ],
        query: Vec::new(),
    }
}

async fn stripe() -> StripeGateway {
    gateway(&MockServer::start().await)
}

/// Verifies `body` signed now with the endpoint secret, on a clock standing at the signing time.
async fn verified(body: &str) -> WebhookEvent {
    let clock = FixedClock::new(at(SIGNED_AT));
    let header = signature_header(WEBHOOK_SECRET, SIGNED_AT, body.as_bytes());
    stripe().await.verify_webhook(&request(body, &header), clock.now()).unwrap()
}

fn invalid(result: Result<WebhookEvent, PaymentError>) -> bool {
    matches!(result, Err(PaymentError::InvalidSignature(_)))
}

#[test]
fn reference_vectors() {
    let body = br#"{"id":"evt_test_webhook","object":"event"}"#;
    assert_eq!(
        signature_header("whsec_test_secret", 1_492_774_577, body),
        "t=1492774577,v1=88a022085c6bdb887b02cb26ff76dd681234d9675c0f22844059f55552a8883a"
    );
    assert_eq!(
        signature_header("whsec_test_secret", 1_700_000_000, br#"{"id":"evt_test","object":"event"}"#),
        "t=1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724"
    );
}

#[tokio::test]
async fn the_reference_header_passes_the_signature_check() {
    let body = r#"{"id":"evt_test","object":"event"}"#;
    let header = "t=1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724";
    // Signature accepted; the body is a bare event without type or data, so parsing is what fails.
    let result = stripe().await.verify_webhook(&request(body, header), at(1_700_000_000));
    assert!(matches!(result, Err(PaymentError::Malformed(_))), "{result:?}");
}

#[tokio::test]
async fn wrong_secret_tampered_body_and_missing_header_are_refused() {
    let gateway = stripe().await;
    let body = events::INVOICE_PAID;
    let now = at(SIGNED_AT);
    let wrong = signature_header("whsec_other", SIGNED_AT, body.as_bytes());
    assert!(invalid(gateway.verify_webhook(&request(body, &wrong), now)));

    let good = signature_header(WEBHOOK_SECRET, SIGNED_AT, body.as_bytes());
    let tampered = body.replacen("9700", "9701", 1);
    assert!(invalid(gateway.verify_webhook(&request(&tampered, &good), now)));
    // Re-serialised JSON is different bytes, so it fails too: only the raw body counts.
    let reserialised = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(body).unwrap()).unwrap();
    assert!(invalid(gateway.verify_webhook(&request(&reserialised, &good), now)));

    let unsigned = WebhookRequest { body: body.as_bytes().to_vec(), ..WebhookRequest::default() };
    assert!(invalid(gateway.verify_webhook(&unsigned, now)));
    for header in ["", "t=abc,v1=00", &format!("v1={}", &good[13..]), "t=1700000300", "t=1700000300,v1=zz"] {
        assert!(invalid(gateway.verify_webhook(&request(body, header), now)), "{header}");
    }
}

#[tokio::test]
async fn the_signature_is_checked_before_the_body_is_parsed() {
    let header = signature_header("whsec_other", SIGNED_AT, b"not json");
    assert!(invalid(stripe().await.verify_webhook(&request("not json", &header), at(SIGNED_AT))));
}

#[tokio::test]
async fn timestamps_beyond_300_seconds_are_refused() {
    let gateway = stripe().await;
    let body = events::INVOICE_PAID;
    let header = signature_header(WEBHOOK_SECRET, SIGNED_AT, body.as_bytes());
    let clock = FixedClock::new(at(SIGNED_AT));
    clock.advance(Duration::seconds(300));
    assert!(gateway.verify_webhook(&request(body, &header), clock.now()).is_ok());
    clock.advance(Duration::seconds(1));
    assert!(invalid(gateway.verify_webhook(&request(body, &header), clock.now())));
    clock.set(at(SIGNED_AT - 301));
    assert!(invalid(gateway.verify_webhook(&request(body, &header), clock.now())), "too far in the future");
}

#[tokio::test]
async fn any_of_several_v1_signatures_may_match() {
    let gateway = stripe().await;
    let body = events::INVOICE_PAID;
    let good = signature_header(WEBHOOK_SECRET, SIGNED_AT, body.as_bytes());
    let good_v1 = good.split_once(",v1=").unwrap().1;
    let old = signature_header("whsec_rolled_away", SIGNED_AT, body.as_bytes());
    let old_v1 = old.split_once(",v1=").unwrap().1;
    let rotating = format!("t={SIGNED_AT},v1={old_v1},v1={good_v1},v0={old_v1}");
    assert!(gateway.verify_webhook(&request(body, &rotating), at(SIGNED_AT)).is_ok());
    let none_good = format!("t={SIGNED_AT},v1={old_v1},v1={old_v1}");
    assert!(invalid(gateway.verify_webhook(&request(body, &none_good), at(SIGNED_AT))));
    // v0 is never trusted, even when it carries the right MAC.
    let only_v0 = format!("t={SIGNED_AT},v0={good_v1}");
    assert!(invalid(gateway.verify_webhook(&request(body, &only_v0), at(SIGNED_AT))));
}

#[tokio::test]
async fn checkout_completed_names_subscription_customer_user_and_plan() {
    let event = verified(events::CHECKOUT_COMPLETED).await;
    assert_eq!(event.provider, PaymentProvider::Stripe);
    assert_eq!(event.event_id, "evt_1CheckoutCompleted0001");
    assert_eq!(event.event_type, "checkout.session.completed");
    assert_eq!(event.created_at, Some(at(1_700_000_100)));
    assert_eq!(
        event.subject,
        WebhookSubject::CheckoutCompleted {
            subscription_id: Some("sub_1PzBasil0000000000000001".into()),
            customer_id: Some("cus_Qabc123".into()),
            user_id: Some(user()),
            plan: Some(Plan::Max),
            invoice_id: Some("in_1PzInvoice0001".into()),
            currency: Some("BRL".into()),
        }
    );
}

#[tokio::test]
async fn subscription_updates_and_deletions_carry_the_normalised_subscription() {
    let updated = verified(events::SUBSCRIPTION_UPDATED).await;
    let WebhookSubject::SubscriptionUpdated(sub) = updated.subject else { panic!("{updated:?}") };
    assert_eq!(
        (sub.id.as_str(), sub.status, sub.cancel_at_period_end),
        ("sub_1PzBasil0000000000000001", SubscriptionStatus::Active, true)
    );
    assert_eq!((sub.user_id, sub.plan), (Some(user()), Some(Plan::Max)));
    assert_eq!(sub.current_period_end, Some(at(1_702_592_000)));
    assert_eq!(sub.observed_at, Some(at(1_700_000_200)), "the event time orders updates");

    let deleted = verified(events::SUBSCRIPTION_DELETED).await;
    assert_eq!(deleted.event_id, "evt_1SubscriptionDeleted0001");
    let WebhookSubject::SubscriptionDeleted(sub) = deleted.subject else { panic!("{deleted:?}") };
    assert_eq!((sub.status, sub.cancel_at_period_end), (SubscriptionStatus::Canceled, false));
}

#[tokio::test]
async fn invoices_name_their_subscription_in_both_api_shapes() {
    let paid = verified(events::INVOICE_PAID).await;
    assert_eq!(
        paid.subject,
        WebhookSubject::InvoicePaid {
            subscription_id: "sub_1PzBasil0000000000000001".into(),
            period_end: Some(at(1_705_270_400)),
            invoice: Some(domain::subscriptions::PaidInvoice {
                id: "in_1PzInvoice0002".into(),
                amount: rust_decimal::Decimal::new(9700, 2),
                currency: "BRL".into(),
                url: Some("https://invoice.stripe.com/i/acct_1PzTest/test_YWNjdF8x".into()),
                period_start: Some(at(1_702_592_000)),
                period_end: Some(at(1_705_270_400)),
            }),
            proration: false,
        }
    );
    let legacy = verified(events::INVOICE_PAID_LEGACY).await;
    assert!(
        matches!(legacy.subject, WebhookSubject::InvoicePaid { ref subscription_id, .. } if subscription_id == "sub_1OldShape00000000000001")
    );
    let failed = verified(events::INVOICE_PAYMENT_FAILED).await;
    assert_eq!(failed.event_type, "invoice.payment_failed");
    assert_eq!(
        failed.subject,
        WebhookSubject::InvoicePaymentFailed { subscription_id: "sub_1PzBasil0000000000000001".into() }
    );
}

#[tokio::test]
async fn other_verified_events_are_ignored_but_identified() {
    let event = verified(events::CUSTOMER_CREATED).await;
    assert_eq!((event.event_id.as_str(), event.subject), ("evt_1CustomerCreated0001", WebhookSubject::Ignored));
}
