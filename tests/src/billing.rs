//! What the billing scenarios read back: the caller's subscription, instants and amounts as the
//! API sends them.

use rust_decimal::Decimal;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::app::{Session, TestApp};

/// `user`'s subscription as `GET /api/subscriptions/me` answers it (200 expected).
pub async fn me(app: &TestApp, user: &Session) -> Value {
    app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200).clone()
}

/// An RFC 3339 instant of a response as Unix seconds.
pub fn unix(raw: &Value) -> i64 {
    OffsetDateTime::parse(raw.as_str().expect("an instant is a string"), &Rfc3339).expect("RFC 3339").unix_timestamp()
}

/// A decimal string of a response.
pub fn dec(raw: &Value) -> Decimal {
    raw.as_str().expect("a decimal is a string").parse().expect("a decimal")
}

/// Sends a Stripe event signed with the fake's webhook secret, dated now; answers its outcome
/// (`applied`, `unchanged`…; 200 expected).
pub async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value) -> String {
    let t = OffsetDateTime::now_utc().unix_timestamp();
    let (body, signature) =
        crate::fakes::stripe::signed_event(id, kind, object, t, crate::fakes::stripe::WEBHOOK_SECRET, t);
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    answer.ok(200)["outcome"].as_str().expect("an outcome").to_owned()
}

/// Sends the Mercado Pago notification number `n` of `kind` (`payment`, `subscription_preapproval`)
/// about `id`, signed with the fake's webhook secret; answers its outcome (200 expected).
pub async fn mp_notification(app: &TestApp, kind: &str, id: &str, n: u64) -> String {
    let t = OffsetDateTime::now_utc().unix_timestamp();
    let (body, query, headers) =
        crate::fakes::mercadopago::signed_notification(kind, id, n, crate::fakes::mercadopago::WEBHOOK_SECRET, t);
    let answer = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    answer.ok(200)["outcome"].as_str().expect("an outcome").to_owned()
}

/// `user`'s `payment.refunded` notices (`data` of each, newest first) once `count` of them are in
/// the inbox (the relay queues them asynchronously; 15 s at most), then a moment later, so that
/// a duplicate queued beside them would show too.
pub async fn refund_notices(app: &TestApp, user: &Session, count: usize) -> Vec<Value> {
    let read = async || {
        let list = app.get("/api/notifications?type=payment.refunded", Some(&user.access)).await.ok(200).clone();
        list["items"].as_array().expect("items").iter().map(|i| i["data"].clone()).collect::<Vec<_>>()
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while read().await.len() < count && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    read().await
}
