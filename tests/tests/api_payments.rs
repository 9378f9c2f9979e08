//! Paid subscriptions end to end, through the running server on both stores, against local fakes
//! of Stripe and Mercado Pago: checkout, signed webhooks, plan changes and limits, cancellation,
//! payment failure and recovery, duplicate and out-of-order deliveries, bad signatures and the
//! reconciliation of a missed webhook.

use botfleet_tests::app::{settings, spawn_with, Session, Store, TestApp};
use botfleet_tests::billing::me;
use botfleet_tests::fakes::mercadopago::{self, signed_notification, FakeMercadoPago};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    stripe_checkout_upgrade_cancel_at_period_end_then_free,
    stripe_payment_failure_is_past_due_until_paid,
    the_same_event_delivered_50_times_at_once_applies_once,
    bad_signatures_change_nothing,
    out_of_order_events_never_move_backwards,
    mercadopago_checkout_authorize_then_cancel_at_once,
    reconciliation_repairs_a_missed_webhook,
    a_wrong_provider_key_is_refused_and_changes_nothing,
);

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn spawn(store: Store, extra: Vec<(&'static str, String)>) -> TestApp {
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_with(settings(store, &pairs)).await
}

async fn with_stripe(store: Store, reconcile_secs: &str) -> (TestApp, FakeStripe) {
    let fake = FakeStripe::start().await;
    let mut extra = fake.settings();
    extra.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", reconcile_secs.to_owned()));
    (spawn(store, extra).await, fake)
}

async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value, created: i64) -> Value {
    let (body, signature) = signed_event(id, kind, object, created, stripe::WEBHOOK_SECRET, now());
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    answer.ok(200).clone()
}

fn checkout_completed(user: &Session, subscription: &str, plan: &str) -> Value {
    json!({"id": "cs_test_0", "object": "checkout.session", "mode": "subscription", "status": "complete",
        "payment_status": "paid", "client_reference_id": user.user_id, "customer": "cus_fake_1",
        "subscription": subscription, "metadata": {"user_id": user.user_id, "plan": plan}})
}

fn invoice(subscription: &str, period_end: i64) -> Value {
    json!({"id": "in_1", "object": "invoice", "customer": "cus_fake_1", "status": "paid",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription, "metadata": {}}},
        "lines": {"object": "list", "data": [{"id": "il_1", "object": "line_item",
            "period": {"start": period_end - 30 * 86_400, "end": period_end}}]}})
}

/// A user on PRO through Stripe, subscription `sub`.
async fn subscribed(app: &TestApp, fake: &FakeStripe, email: &str, sub: &str) -> Session {
    let user = app.user(email).await;
    fake.subscribe(sub, &user.user_id, "PRO", now() + 30 * 86_400);
    let ack = stripe_event(
        app,
        &format!("evt_{sub}_checkout"),
        "checkout.session.completed",
        checkout_completed(&user, sub, "PRO"),
        now(),
    )
    .await;
    assert_eq!(ack["outcome"], "applied");
    user
}

async fn stripe_checkout_upgrade_cancel_at_period_end_then_free(store: Store) {
    let (app, fake) = with_stripe(store, "0").await;
    let user = app.user("pay-a@example.com").await;
    let body = json!({"plan": "PRO", "provider": "stripe",
        "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
    let first = app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201).clone();
    assert!(first["url"].as_str().unwrap().starts_with("https://checkout.stripe.com/"), "{first}");
    let again = app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201).clone();
    assert_eq!(again["url"], first["url"], "a retried checkout reuses the session");
    let sessions = fake.sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["client_reference_id"], user.user_id);
    assert_eq!(sessions[0]["line_items[0][price]"], stripe::PRICE_PRO);
    assert_eq!(me(&app, &user).await["plan"], "FREE", "nothing changes before the provider confirms");

    fake.subscribe("sub_flow_a", &user.user_id, "PRO", now() + 30 * 86_400);
    let ack = stripe_event(
        &app,
        "evt_a1",
        "checkout.session.completed",
        checkout_completed(&user, "sub_flow_a", "PRO"),
        now(),
    )
    .await;
    assert_eq!(ack["outcome"], "applied");
    let pro = me(&app, &user).await;
    assert_eq!(
        (pro["plan"].as_str(), pro["provider"].as_str(), pro["status"].as_str()),
        (Some("PRO"), Some("stripe"), Some("active"))
    );
    assert_eq!(pro["usage"]["contexts"]["limit"], 3);
    assert_eq!(pro["usage"]["bots"]["limit"], 10);
    app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.problem(409, "already_subscribed");

    let cancelled = app.post("/api/subscriptions/cancel", Some(&user.access), &json!({})).await.ok(200).clone();
    assert_eq!((cancelled["plan"].as_str(), cancelled["cancel_at_period_end"].as_bool()), (Some("PRO"), Some(true)));
    assert_eq!(fake.subscription("sub_flow_a")["cancel_at_period_end"], true);

    fake.set_status("sub_flow_a", "canceled");
    let ended = fake.subscription("sub_flow_a");
    let ack = stripe_event(&app, "evt_a2", "customer.subscription.deleted", ended, now() + 1).await;
    assert_eq!(ack["outcome"], "applied");
    let free = me(&app, &user).await;
    assert_eq!((free["plan"].as_str(), free["usage"]["contexts"]["limit"].as_u64()), (Some("FREE"), Some(1)));
    assert!(free["status_reason"].as_str().is_some_and(|r| r.contains("canceled")), "{free}");
}

async fn stripe_payment_failure_is_past_due_until_paid(store: Store) {
    let (app, fake) = with_stripe(store, "0").await;
    let user = subscribed(&app, &fake, "pay-b@example.com", "sub_flow_b").await;

    let ack = stripe_event(&app, "evt_b1", "invoice.payment_failed", invoice("sub_flow_b", now()), now() + 1).await;
    assert_eq!(ack["outcome"], "applied");
    let past_due = me(&app, &user).await;
    assert_eq!((past_due["status"].as_str(), past_due["effective_plan"].as_str()), (Some("past_due"), Some("PRO")));

    let next_end = now() + 60 * 86_400;
    let ack = stripe_event(&app, "evt_b2", "invoice.paid", invoice("sub_flow_b", next_end), now() + 2).await;
    assert_eq!(ack["outcome"], "applied");
    let active = me(&app, &user).await;
    assert_eq!(active["status"], "active");
    let end = OffsetDateTime::parse(
        active["current_period_end"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(end.unix_timestamp(), next_end, "the period was extended");
}

async fn the_same_event_delivered_50_times_at_once_applies_once(store: Store) {
    let (app, fake) = with_stripe(store, "0").await;
    let user = app.user("pay-c@example.com").await;
    fake.subscribe("sub_flow_c", &user.user_id, "MAX", now() + 30 * 86_400);
    let (body, signature) = signed_event(
        "evt_c1",
        "checkout.session.completed",
        checkout_completed(&user, "sub_flow_c", "MAX"),
        now(),
        stripe::WEBHOOK_SECRET,
        now(),
    );
    let headers = vec![("stripe-signature".to_owned(), signature)];
    let deliveries = (0..50).map(|_| app.post_raw("/api/webhooks/stripe", body.clone(), &headers));
    let answers = futures::future::join_all(deliveries).await;
    let outcomes: Vec<String> = answers.iter().map(|a| a.ok(200)["outcome"].as_str().unwrap().to_owned()).collect();
    assert_eq!(outcomes.iter().filter(|o| *o == "applied").count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| *o == "duplicate").count(), 49, "{outcomes:?}");
    assert_eq!(me(&app, &user).await["plan"], "MAX");
}

async fn bad_signatures_change_nothing(store: Store) {
    let (app, fake) = with_stripe(store, "0").await;
    let user = app.user("pay-d@example.com").await;
    fake.subscribe("sub_flow_d", &user.user_id, "PRO", now() + 30 * 86_400);
    let object = checkout_completed(&user, "sub_flow_d", "PRO");
    let (body, wrong) =
        signed_event("evt_d1", "checkout.session.completed", object.clone(), now(), "whsec_wrong", now());
    let (_, stale) = signed_event(
        "evt_d1",
        "checkout.session.completed",
        object.clone(),
        now(),
        stripe::WEBHOOK_SECRET,
        now() - 1_000,
    );
    let (_, good) = signed_event("evt_d1", "checkout.session.completed", object, now(), stripe::WEBHOOK_SECRET, now());
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'P').unwrap();
    tampered[at] = b'X';
    for (body, headers) in [
        (body.clone(), vec![("stripe-signature".to_owned(), wrong)]),
        (body.clone(), vec![("stripe-signature".to_owned(), stale)]),
        (tampered, vec![("stripe-signature".to_owned(), good)]),
        (body, vec![]),
    ] {
        let answer = app.post_raw("/api/webhooks/stripe", body, &headers).await;
        let detail = answer.problem(400, "invalid_signature")["detail"].as_str().unwrap().to_owned();
        assert!(!detail.contains(stripe::WEBHOOK_SECRET));
    }
    assert_eq!(me(&app, &user).await["plan"], "FREE");
}

async fn out_of_order_events_never_move_backwards(store: Store) {
    let (app, fake) = with_stripe(store, "0").await;
    let user = subscribed(&app, &fake, "pay-e@example.com", "sub_flow_e").await;
    let mut newer = fake.subscription("sub_flow_e");
    newer["cancel_at_period_end"] = json!(true);
    let older = fake.subscription("sub_flow_e");
    let t = now();
    assert_eq!(
        stripe_event(&app, "evt_e2", "customer.subscription.updated", newer, t + 10).await["outcome"],
        "applied"
    );
    assert_eq!(
        stripe_event(&app, "evt_e1", "customer.subscription.updated", older, t + 5).await["outcome"],
        "unchanged"
    );
    assert_eq!(me(&app, &user).await["cancel_at_period_end"], true);
}

async fn mercadopago_checkout_authorize_then_cancel_at_once(store: Store) {
    let fake = FakeMercadoPago::start().await;
    let app = spawn(store, fake.settings()).await;
    let user = app.user("pay-f@example.com").await;
    let body = json!({"plan": "PRO", "provider": "mercadopago",
        "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
    let started = app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201).clone();
    assert!(started["url"].as_str().unwrap().contains("preapproval_id="), "{started}");
    let preapprovals = fake.preapprovals();
    let (id, created) = preapprovals.iter().next().unwrap();
    assert_eq!(created["external_reference"], format!("botfleet:{}:PRO", user.user_id));
    assert_eq!(created["payer_email"], "pay-f@example.com");
    assert_eq!(created["auto_recurring"]["currency_id"], "BRL");

    fake.set_preapproval(id, "authorized", "2026-12-30T10:00:00.000-03:00", "2026-11-02T10:00:00.000-03:00");
    let (body, query, headers) =
        signed_notification("subscription_preapproval", id, 1, mercadopago::WEBHOOK_SECRET, now());
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    assert_eq!(ack.ok(200)["outcome"], "applied");
    let pro = me(&app, &user).await;
    assert_eq!((pro["plan"].as_str(), pro["provider"].as_str()), (Some("PRO"), Some("mercadopago")));

    fake.add_payment("91234567890", id, "approved");
    let (body, query, headers) = signed_notification("payment", "91234567890", 2, mercadopago::WEBHOOK_SECRET, now());
    let ack = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    assert!(["applied", "unchanged"].contains(&ack.ok(200)["outcome"].as_str().unwrap()));

    let (body, query, mut headers) = signed_notification("payment", "91234567890", 3, "not-the-secret", now());
    headers.truncate(2);
    let bad = app.post_raw(&format!("/api/webhooks/mercadopago?{query}"), body, &headers).await;
    bad.problem(400, "invalid_signature");

    let after = app.post("/api/subscriptions/cancel", Some(&user.access), &json!({})).await.ok(200).clone();
    assert_eq!((after["plan"].as_str(), after["provider"].as_str()), (Some("FREE"), None), "{after}");
    assert_eq!(fake.preapprovals()[id]["status"], "cancelled");
}

async fn reconciliation_repairs_a_missed_webhook(store: Store) {
    let (app, fake) = with_stripe(store, "1").await;
    let user = subscribed(&app, &fake, "pay-g@example.com", "sub_flow_g").await;
    fake.set_status("sub_flow_g", "canceled");
    for _ in 0..100 {
        if me(&app, &user).await["plan"] == "FREE" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the reconciliation job never applied the cancellation made at Stripe");
}

/// The fakes are strict: a wrong key or a missing idempotency key is refused as the providers
/// document it, so the server's calls are only accepted when they are right.
async fn a_wrong_provider_key_is_refused_and_changes_nothing(store: Store) {
    let (mp, stripe) = (FakeMercadoPago::start().await, FakeStripe::start().await);
    let http = reqwest::Client::new();
    let pix = json!({"transaction_amount": 19.9, "payment_method_id": "pix", "payer": {"email": "a@example.com"}});
    let post = |token: &str, key: Option<&str>, body: &Value| {
        let mut request = http.post(format!("{}/v1/payments", mp.uri())).bearer_auth(token).json(body);
        if let Some(key) = key {
            request = request.header("X-Idempotency-Key", key);
        }
        request.send()
    };
    assert_eq!(post("APP_USR-wrong", Some("k1"), &pix).await.unwrap().status(), 401);
    assert_eq!(post(mercadopago::ACCESS_TOKEN, None, &pix).await.unwrap().status(), 400);
    let no_payer = json!({"transaction_amount": 19.9, "payment_method_id": "pix"});
    let refused: Value = post(mercadopago::ACCESS_TOKEN, Some("k2"), &no_payer).await.unwrap().json().await.unwrap();
    assert_eq!(refused["cause"][0]["description"], "payer.email: is required", "{refused}");
    assert!(mp.payment_requests().is_empty(), "nothing refused was created");

    let session = |key: &str, plan_price: &str| {
        let form = [
            ("mode", "subscription"),
            ("success_url", "https://a.example/ok"),
            ("line_items[0][price]", plan_price),
            ("line_items[0][quantity]", "1"),
        ];
        http.post(format!("{}/v1/checkout/sessions", stripe.uri()))
            .bearer_auth(key)
            .header("Idempotency-Key", "same-key")
            .form(&form)
            .send()
    };
    assert_eq!(session("sk_test_wrong", stripe::PRICE_PRO).await.unwrap().status(), 401);
    assert_eq!(session(stripe::SECRET_KEY, stripe::PRICE_PRO).await.unwrap().status(), 200);
    let reused: Value = session(stripe::SECRET_KEY, stripe::PRICE_MAX).await.unwrap().json().await.unwrap();
    assert_eq!(reused["error"]["type"], "idempotency_error", "{reused}");

    let mut wrong = mp.settings();
    wrong[0].1 = "APP_USR-not-the-token".into();
    let app = spawn(store, wrong).await;
    let user = app.user("pay-h@example.com").await;
    let body = json!({"plan": "PRO", "provider": "mercadopago",
        "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
    app.post("/api/subscriptions/checkout", Some(&user.access), &body)
        .await
        .problem(503, "payment_provider_unavailable");
    assert!(mp.preapprovals().is_empty());
    assert_eq!(me(&app, &user).await["plan"], "FREE");
}
