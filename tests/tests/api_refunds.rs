//! Refunds received by webhook, end to end through the running server on both stores against
//! the strict Mercado Pago fake: a PIX that paid for the running period refunded by an operator
//! ends the plan at once (FREE, the bots beyond its limit paused) and is listed on the invoices
//! as a negative entry, once however often it is notified; a chargeback of an older period only
//! records.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::billing::{me, refund_notices};
use botfleet_tests::bots::{bot, bot_app, running_smart_bots};
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    a_refund_of_the_running_period_ends_the_plan_and_pauses_the_bots,
    a_chargeback_of_an_older_period_only_records
);

async fn server(store: Store) -> (TestApp, FakeMercadoPago) {
    let fake = FakeMercadoPago::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (bot_app(store, &pairs).await.0, fake)
}

async fn notify(app: &TestApp, payment: &str, notification: u64) -> String {
    let (body, query, headers) = signed_notification("payment", payment, notification, mercadopago::WEBHOOK_SECRET, 1);
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    ack.ok(200)["outcome"].as_str().unwrap().to_owned()
}

/// A PRO PIX paid at `paid_at`; answers the payment id.
async fn pix_paid(app: &TestApp, fake: &FakeMercadoPago, user: &Session, paid_at: OffsetDateTime, n: u64) -> String {
    let body = json!({"plan": "PRO", "method": "pix"});
    let pix = app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201).clone();
    let id = pix["reference"].as_str().unwrap().to_owned();
    fake.approve_payment(&id, paid_at);
    assert_eq!(notify(app, &id, n).await, "applied");
    id
}

async fn invoices(app: &TestApp, user: &Session) -> Vec<Value> {
    let list = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    list["items"].as_array().unwrap().clone()
}

async fn a_refund_of_the_running_period_ends_the_plan_and_pauses_the_bots(store: Store) {
    let (app, fake) = server(store).await;
    let user = app.user("refund-a@example.com").await;
    let id = pix_paid(&app, &fake, &user, OffsetDateTime::now_utc() - Duration::days(2), 1).await;
    let bots = running_smart_bots(&app, &user, 3).await;

    fake.refund_payment(&id, false);
    assert_eq!(notify(&app, &id, 2).await, "applied");
    assert_eq!(notify(&app, &id, 3).await, "unchanged", "a second notice of the same refund changes nothing");

    let free = me(&app, &user).await;
    assert_eq!((free["plan"].as_str(), free["current_period_end"].as_str()), (Some("FREE"), None), "{free}");
    assert!(free["status_reason"].as_str().is_some_and(|r| r.contains("refunded")), "{free}");
    let mut statuses = Vec::new();
    for id in &bots {
        statuses.push(bot(&app, &user, id).await["status"].clone());
    }
    assert_eq!(statuses, [json!("running"), json!("running"), json!("paused")], "FREE keeps the two oldest bots");
    let listed = invoices(&app, &user).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let refund = listed.iter().find(|i| i["status"] == "refunded").unwrap();
    assert_eq!((refund["amount"].as_str(), refund["method"].as_str()), (Some("-19.90"), Some("pix")), "{refund}");
    assert_eq!(refund["provider_reference"].as_str(), Some(id.as_str()));
    assert!(listed.iter().any(|i| i["status"] == "approved" && i["amount"] == "19.90"), "{listed:?}");
    let told = refund_notices(&app, &user, 1).await;
    let amounts: Vec<_> = told.iter().map(|d| (d["amount"].as_str(), d["provider"].as_str())).collect();
    assert_eq!(amounts, [(Some("19.90"), Some("mercado_pago"))], "told once: {told:?}");
}

async fn a_chargeback_of_an_older_period_only_records(store: Store) {
    let (app, fake) = server(store).await;
    let user = app.user("refund-b@example.com").await;
    let old = pix_paid(&app, &fake, &user, OffsetDateTime::now_utc() - Duration::days(45), 1).await;
    assert_eq!(me(&app, &user).await["plan"], "FREE", "the first period lapsed");
    pix_paid(&app, &fake, &user, OffsetDateTime::now_utc() - Duration::days(1), 2).await;
    let before = me(&app, &user).await;
    assert_eq!(before["plan"], "PRO");

    fake.refund_payment(&old, true);
    assert_eq!(notify(&app, &old, 3).await, "applied");
    let after = me(&app, &user).await;
    assert_eq!(
        (after["plan"].clone(), after["current_period_end"].clone()),
        (json!("PRO"), before["current_period_end"].clone())
    );
    let listed = invoices(&app, &user).await;
    let refunds: Vec<&Value> = listed.iter().filter(|i| i["status"] == "refunded").collect();
    assert_eq!((refunds.len(), refunds[0]["amount"].as_str()), (1, Some("-19.90")), "{listed:?}");
}
