//! Refunds made by an operator through the backoffice, end to end on both stores against the
//! strict fakes: a PIX refunded at Mercado Pago (its `X-Idempotency-Key` derived from the
//! invoice) is listed at once, its notification then ends the plan, and a second refund is a 409
//! with no second call; a Stripe invoice is refunded through its payment intent; SUPPORT may not
//! refund, a comp is not refundable, and the fakes refuse a missing or reused key.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::backoffice::{create_operator, enrol_and_login, extra, Operator, DOMAIN};
use botfleet_tests::bots::bot_app;
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use domain::backoffice::OperatorRole;
use infrastructure::repositories::Repositories;
use reqwest::Method;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    an_operator_refunds_a_pix_once_and_the_notification_ends_the_plan,
    an_operator_refunds_a_stripe_invoice_through_its_payment,
);

async fn server(store: Store) -> (TestApp, Repositories, FakeMercadoPago, FakeStripe) {
    let (mp, stripe) = (FakeMercadoPago::start().await, FakeStripe::start().await);
    let mut settings: Vec<(&str, String)> = extra().into_iter().map(|(k, v)| (k, v.to_owned())).collect();
    settings.extend(mp.settings());
    settings.extend(stripe.settings());
    settings.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "0".to_owned()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = bot_app(store, &pairs).await;
    (app, repos, mp, stripe)
}

async fn operator(app: &TestApp, repos: &Repositories, name: &str, role: OperatorRole, ip: &str) -> Operator {
    let email = format!("{name}@{DOMAIN}");
    create_operator(repos, &email, role).await;
    enrol_and_login(app, &email, ip).await
}

async fn invoices(app: &TestApp, user: &Session) -> Vec<Value> {
    let list = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    list["items"].as_array().unwrap().clone()
}

async fn notify(app: &TestApp, payment: &str, notification: u64) -> String {
    let (body, query, headers) = signed_notification("payment", payment, notification, mercadopago::WEBHOOK_SECRET, 1);
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    ack.ok(200)["outcome"].as_str().unwrap().to_owned()
}

fn refund_path(user: &Session, invoice: &Value) -> String {
    format!("/backoffice/api/users/{}/invoices/{}/refund", user.user_id, invoice["id"].as_str().unwrap())
}

async fn an_operator_refunds_a_pix_once_and_the_notification_ends_the_plan(store: Store) {
    let (app, repos, mp, _stripe) = server(store).await;
    let admin = operator(&app, &repos, "ada", OperatorRole::Admin, "10.0.41.1").await;
    let support = operator(&app, &repos, "sam", OperatorRole::Support, "10.0.41.2").await;
    let user = app.user("bo-refund-a@example.com").await;
    let pix = json!({"plan": "PRO", "method": "pix"});
    let pix = app.post("/api/subscriptions/checkout", Some(&user.access), &pix).await.ok(201).clone();
    let payment = pix["reference"].as_str().unwrap().to_owned();
    mp.approve_payment(&payment, OffsetDateTime::now_utc() - Duration::days(1));
    assert_eq!(notify(&app, &payment, 1).await, "applied");
    let paid = invoices(&app, &user).await[0].clone();
    let path = refund_path(&user, &paid);

    support.post(&app, &path).await.problem(403, "permission_denied");
    let refunded = admin.post(&app, &path).await.ok(200).clone();
    assert_eq!((refunded["provider_status"].as_str(), refunded["amount"].as_str()), (Some("approved"), Some("19.90")));
    assert_eq!(
        (refunded["invoice"]["status"].as_str(), refunded["invoice"]["amount"].as_str()),
        (Some("refunded"), Some("-19.90")),
        "{refunded}"
    );
    assert_eq!((mp.payment(&payment)["status"].as_str(), mp.refund_count()), (Some("refunded"), 1));
    // The plan follows the provider's notification.
    let me = app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!(me["plan"], "PRO");
    assert_eq!(notify(&app, &payment, 2).await, "applied");
    let me = app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!(me["plan"], "FREE", "{me}");
    let listed = invoices(&app, &user).await;
    assert_eq!(listed.iter().filter(|i| i["status"] == "refunded").count(), 1, "listed once: {listed:?}");

    admin.post(&app, &path).await.problem(409, "already_refunded");
    let entry_path = refund_path(&user, &refunded["invoice"]);
    admin.post(&app, &entry_path).await.problem(409, "not_refundable");
    assert_eq!(mp.refund_count(), 1, "no second refund reached Mercado Pago");
    let other = app.user("bo-refund-b@example.com").await;
    let foreign = format!("/backoffice/api/users/{}/invoices/{}/refund", other.user_id, paid["id"].as_str().unwrap());
    admin.post(&app, &foreign).await.problem(404, "not_found");
    let comp = json!({"plan": "PRO", "days": 5, "reason": "goodwill"});
    let comp_path = format!("/backoffice/api/users/{}/comp", other.user_id);
    let granted = admin.call(&app, Method::POST, &comp_path, Some(&comp)).await.ok(200).clone();
    admin.post(&app, &refund_path(&other, &granted["invoice"])).await.problem(409, "not_refundable");
    let audit = admin.get(&app, &format!("/backoffice/api/audit?target=user:{}", user.user_id)).await.ok(200).clone();
    assert!(audit["items"].as_array().unwrap().iter().any(|e| e["action"] == "invoices.refund"), "{audit}");

    // The fake is strict: no key, or a key reused for another payment, is refused.
    let client = reqwest::Client::new();
    let url = format!("{}/v1/payments/{payment}/refunds", mp.uri());
    let bearer = format!("Bearer {}", mercadopago::ACCESS_TOKEN);
    let no_key = client.post(&url).header("authorization", &bearer).json(&json!({})).send().await.unwrap();
    assert_eq!(no_key.status(), 400);
    let reused = format!("botfleet-refund-{}", paid["id"].as_str().unwrap());
    let other_payment = format!("{}/v1/payments/91000000099/refunds", mp.uri());
    let wrong = client.post(&other_payment).header("authorization", &bearer).header("x-idempotency-key", &reused);
    assert_eq!(wrong.json(&json!({})).send().await.unwrap().status(), 400);
    let unauthorised = client.post(&url).header("x-idempotency-key", "k").json(&json!({})).send().await.unwrap();
    assert_eq!(unauthorised.status(), 401);
}

async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value) -> Value {
    let t = OffsetDateTime::now_utc().unix_timestamp();
    let (body, signature) = signed_event(id, kind, object, t, stripe::WEBHOOK_SECRET, t);
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    answer.ok(200).clone()
}

async fn an_operator_refunds_a_stripe_invoice_through_its_payment(store: Store) {
    let (app, repos, _mp, fake) = server(store).await;
    let admin = operator(&app, &repos, "abe", OperatorRole::SuperAdmin, "10.0.42.1").await;
    let user = app.user("bo-refund-c@example.com").await;
    let end = OffsetDateTime::now_utc().unix_timestamp() + 20 * 86_400;
    fake.subscribe("sub_bo_refund", &user.user_id, "PRO", end);
    let session = json!({"id": "cs_bo_refund", "object": "checkout.session", "mode": "subscription",
        "status": "complete", "client_reference_id": user.user_id, "customer": "cus_fake_1",
        "subscription": "sub_bo_refund", "metadata": {"user_id": user.user_id, "plan": "PRO"}});
    assert_eq!(stripe_event(&app, "evt_bo_r1", "checkout.session.completed", session).await["outcome"], "applied");
    let invoice = json!({"id": "in_bo_refund", "object": "invoice", "status": "paid", "amount_paid": 1990,
        "currency": "brl", "customer": "cus_fake_1",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_bo_refund"}},
        "lines": {"object": "list", "data": [{"id": "il_1", "period": {"start": end - 30 * 86_400, "end": end}}]}});
    stripe_event(&app, "evt_bo_r2", "invoice.paid", invoice).await;
    fake.pay_invoice("in_bo_refund", "cus_fake_1", 1990, "brl");
    let paid = invoices(&app, &user).await[0].clone();

    let refunded = admin.post(&app, &refund_path(&user, &paid)).await.ok(200).clone();
    assert_eq!((refunded["refund_id"].as_str(), refunded["amount"].as_str()), (Some("re_fake_1"), Some("19.90")));
    assert_eq!(refunded["invoice"]["amount"], "-19.90");
    let made = fake.refunds();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["payment_intent"], "pi_in_bo_refund");
    let key = format!("botfleet-refund-{}", paid["id"].as_str().unwrap());
    assert_eq!(made[0]["idempotency_key"].as_str(), Some(key.as_str()));
    admin.post(&app, &refund_path(&user, &paid)).await.problem(409, "already_refunded");
    assert_eq!(fake.refunds().len(), 1);

    // Stripe refuses other parameters under a key already used.
    let client = reqwest::Client::new();
    let wrong = client
        .post(format!("{}/v1/refunds", fake.uri()))
        .bearer_auth(stripe::SECRET_KEY)
        .header("idempotency-key", &key)
        .form(&[("charge", "ch_in_bo_refund")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["type"], "idempotency_error");
}
