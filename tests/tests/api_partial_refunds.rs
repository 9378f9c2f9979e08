//! Partial refunds by an operator, end to end on both stores against the strict fakes: a Stripe
//! invoice refunded in two parts (`amount` in minor units, one key per part), the entry raised to
//! what was refunded so far, the plan kept until Stripe's `charge.refunded` reports the whole
//! amount; a PIX refunded in part at Mercado Pago (`amount` in the body) keeps the plan, the
//! rest ends it with the payment's `refunded` notification; bad amounts are 422 naming `amount`.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::backoffice::{create_operator, enrol_and_login, extra, Operator, DOMAIN};
use botfleet_tests::billing::{refund_notices, stripe_event};
use botfleet_tests::bots::bot_app;
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::FakeStripe;
use domain::backoffice::OperatorRole;
use infrastructure::repositories::Repositories;
use reqwest::Method;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    a_stripe_invoice_refunded_in_two_parts_ends_the_plan_only_when_whole,
    a_pix_refunded_in_part_keeps_the_plan_until_the_rest_is_refunded,
    a_partial_refund_made_at_mercado_pago_is_recorded_from_its_notification,
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

async fn admin(app: &TestApp, repos: &Repositories, name: &str, ip: &str) -> Operator {
    let email = format!("{name}@{DOMAIN}");
    create_operator(repos, &email, OperatorRole::Admin).await;
    enrol_and_login(app, &email, ip).await
}

async fn invoices(app: &TestApp, user: &Session) -> Vec<Value> {
    let list = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    list["items"].as_array().unwrap().clone()
}

async fn plan(app: &TestApp, user: &Session) -> String {
    app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200)["plan"].as_str().unwrap().to_owned()
}

fn refund_path(user: &Session, invoice: &Value) -> String {
    format!("/backoffice/api/users/{}/invoices/{}/refund", user.user_id, invoice["id"].as_str().unwrap())
}

async fn refund(app: &TestApp, op: &Operator, path: &str, amount: Value) -> botfleet_tests::app::Answer {
    op.call(app, Method::POST, path, Some(&json!({ "amount": amount }))).await
}

async fn a_stripe_invoice_refunded_in_two_parts_ends_the_plan_only_when_whole(store: Store) {
    let (app, repos, _mp, fake) = server(store).await;
    let op = admin(&app, &repos, "pat", "10.0.43.1").await;
    let user = app.user("partial-a@example.com").await;
    let end = OffsetDateTime::now_utc().unix_timestamp() + 20 * 86_400;
    fake.subscribe("sub_part", &user.user_id, "PRO", end);
    let session = json!({"id": "cs_part", "object": "checkout.session", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": "sub_part", "metadata": {"user_id": user.user_id, "plan": "PRO"}});
    assert_eq!(stripe_event(&app, "evt_part_1", "checkout.session.completed", session).await, "applied");
    let invoice = json!({"id": "in_part", "object": "invoice", "status": "paid", "amount_paid": 1990,
        "currency": "brl", "customer": "cus_fake_1",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_part"}},
        "lines": {"object": "list", "data": [{"id": "il_1", "period": {"start": end - 30 * 86_400, "end": end}}]}});
    stripe_event(&app, "evt_part_2", "invoice.paid", invoice).await;
    fake.pay_invoice("in_part", "cus_fake_1", 1990, "brl");
    let paid = invoices(&app, &user).await[0].clone();
    let path = refund_path(&user, &paid);

    for bad in [json!("0"), json!("-1"), json!("19.91"), json!("1.234"), json!("abc")] {
        let refused = refund(&app, &op, &path, bad.clone()).await;
        assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "amount", "{bad}");
    }
    assert!(fake.refunds().is_empty(), "nothing reached Stripe");

    let first = refund(&app, &op, &path, json!("5.00")).await.ok(200).clone();
    assert_eq!((first["amount"].as_str(), first["invoice"]["amount"].as_str()), (Some("5.00"), Some("-5.00")));
    let made = fake.refunds();
    assert_eq!(made[0]["amount"], 500);
    // Stripe reports the part: recorded once, the plan kept.
    let charge = |refunded: i64| {
        json!({"id": "ch_in_part", "object": "charge", "amount": 1990, "amount_refunded": refunded, "currency": "brl",
            "customer": "cus_fake_1", "payment_intent": "pi_in_part", "refunded": refunded == 1990, "paid": true})
    };
    assert_eq!(stripe_event(&app, "evt_part_3", "charge.refunded", charge(500)).await, "unchanged");
    assert_eq!(plan(&app, &user).await, "PRO");

    let over = refund(&app, &op, &path, json!("14.91")).await;
    assert_eq!(over.problem(422, "validation_failed")["errors"][0]["field"], "amount", "more than is left");
    let rest = refund(&app, &op, &path, json!(14.9)).await.ok(200).clone();
    assert_eq!(rest["invoice"]["amount"], "-19.90", "{rest}");
    let made = fake.refunds();
    assert_eq!((made.len(), made[1]["amount"].as_i64()), (2, Some(1490)));
    assert_ne!(made[0]["idempotency_key"], made[1]["idempotency_key"], "one key per part");
    let refunds: Vec<Value> = invoices(&app, &user).await.into_iter().filter(|i| i["kind"] == "refund").collect();
    assert_eq!(refunds.len(), 1, "one entry, raised: {refunds:?}");
    refund(&app, &op, &path, json!("1.00")).await.problem(409, "already_refunded");
    assert_eq!(stripe_event(&app, "evt_part_4", "charge.refunded", charge(1990)).await, "applied");
    assert_eq!(plan(&app, &user).await, "FREE");
    // Told once per amount: the operator's refunds and Stripe's notices of them are one notice each.
    let told = refund_notices(&app, &user, 2).await;
    let amounts: Vec<_> = told.iter().map(|d| d["amount"].as_str()).collect();
    assert_eq!(amounts, [Some("19.90"), Some("5.00")], "{told:?}");
    assert_eq!((told[0]["provider"].as_str(), told[0]["plan"].as_str()), (Some("stripe"), Some("pro")));
    assert_eq!((told[0]["currency"].as_str(), told[0]["reason"].as_str()), (Some("BRL"), None));
}

async fn a_pix_refunded_in_part_keeps_the_plan_until_the_rest_is_refunded(store: Store) {
    let (app, repos, mp, _stripe) = server(store).await;
    let op = admin(&app, &repos, "pia", "10.0.43.2").await;
    let user = app.user("partial-b@example.com").await;
    let pix =
        app.post("/api/subscriptions/checkout", Some(&user.access), &json!({"plan": "PRO", "method": "pix"})).await;
    let payment = pix.ok(201)["reference"].as_str().unwrap().to_owned();
    mp.approve_payment(&payment, OffsetDateTime::now_utc() - Duration::days(1));
    let notify = |n: u64| {
        let (app, payment) = (&app, payment.clone());
        async move {
            let (body, query, headers) = signed_notification("payment", &payment, n, mercadopago::WEBHOOK_SECRET, 1);
            app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await.ok(200)["outcome"].clone()
        }
    };
    assert_eq!(notify(1).await, "applied");
    let paid = invoices(&app, &user).await[0].clone();
    let path = refund_path(&user, &paid);

    let part = refund(&app, &op, &path, json!("5.50")).await.ok(200).clone();
    assert_eq!((part["amount"].as_str(), part["invoice"]["amount"].as_str()), (Some("5.50"), Some("-5.50")));
    let at_mp = mp.payment(&payment);
    assert_eq!(
        (at_mp["status"].as_str(), at_mp["transaction_amount_refunded"].as_f64()),
        (Some("approved"), Some(5.5))
    );
    notify(2).await;
    assert_eq!(plan(&app, &user).await, "PRO", "a partial refund never ends the plan");

    let rest = op.post(&app, &path).await.ok(200).clone();
    assert_eq!((rest["amount"].as_str(), rest["invoice"]["amount"].as_str()), (Some("14.40"), Some("-19.90")));
    assert_eq!((mp.payment(&payment)["status"].as_str(), mp.refund_count()), (Some("refunded"), 2));
    assert_eq!(notify(3).await, "applied");
    assert_eq!(plan(&app, &user).await, "FREE");
    let refunds: Vec<Value> = invoices(&app, &user).await.into_iter().filter(|i| i["kind"] == "refund").collect();
    assert_eq!((refunds.len(), refunds[0]["amount"].as_str()), (1, Some("-19.90")), "{refunds:?}");
    op.post(&app, &path).await.problem(409, "already_refunded");
    let told = refund_notices(&app, &user, 2).await;
    let amounts: Vec<_> = told.iter().map(|d| (d["amount"].as_str(), d["provider"].as_str())).collect();
    assert_eq!(amounts, [(Some("19.90"), Some("mercado_pago")), (Some("5.50"), Some("mercado_pago"))], "{told:?}");
}

/// A refund made in Mercado Pago's own dashboard: the strict fake's refunds API, called directly.
async fn refund_at_mercado_pago(mp: &FakeMercadoPago, payment: &str, body: Value, key: &str) {
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/payments/{payment}/refunds", mp.uri()))
        .bearer_auth(mercadopago::ACCESS_TOKEN)
        .header("x-idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
}

async fn a_partial_refund_made_at_mercado_pago_is_recorded_from_its_notification(store: Store) {
    let (app, _repos, mp, _stripe) = server(store).await;
    let user = app.user("partial-c@example.com").await;
    let pix =
        app.post("/api/subscriptions/checkout", Some(&user.access), &json!({"plan": "PRO", "method": "pix"})).await;
    let payment = pix.ok(201)["reference"].as_str().unwrap().to_owned();
    mp.approve_payment(&payment, OffsetDateTime::now_utc() - Duration::days(1));
    let notify = |n: u64| {
        let (app, payment) = (&app, payment.clone());
        async move {
            let (body, query, headers) = signed_notification("payment", &payment, n, mercadopago::WEBHOOK_SECRET, 1);
            app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await.ok(200)["outcome"].clone()
        }
    };
    assert_eq!(notify(1).await, "applied");

    refund_at_mercado_pago(&mp, &payment, json!({"amount": 4.9}), "dashboard-1").await;
    assert_eq!(notify(2).await, "applied");
    assert_eq!(notify(3).await, "unchanged", "the same part again");
    let refunds: Vec<Value> = invoices(&app, &user).await.into_iter().filter(|i| i["kind"] == "refund").collect();
    assert_eq!((refunds.len(), refunds[0]["amount"].as_str()), (1, Some("-4.90")), "{refunds:?}");
    assert_eq!(plan(&app, &user).await, "PRO", "a partial refund never ends the plan");

    refund_at_mercado_pago(&mp, &payment, json!({}), "dashboard-2").await;
    assert_eq!(notify(4).await, "applied");
    assert_eq!(plan(&app, &user).await, "FREE");
    let refunds: Vec<Value> = invoices(&app, &user).await.into_iter().filter(|i| i["kind"] == "refund").collect();
    assert_eq!((refunds.len(), refunds[0]["amount"].as_str()), (1, Some("-19.90")), "raised: {refunds:?}");
}
