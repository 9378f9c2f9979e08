//! A second paid subscription of a user who already pays one (a checkout opened in another tab
//! before the first was paid), end to end on both stores against the strict fakes: on Stripe the
//! second is cancelled at once and the invoice its checkout paid is refunded in full, once however
//! often the checkout is notified, one that only an update reported is cancelled, and one whose
//! first payment failed is cancelled without a refund; on Mercado Pago the second preapproval is
//! cancelled when authorized and its first payment refunded; two checkouts notified at the same
//! moment leave one. The subscription the user had stays theirs, untouched.

use botfleet_tests::app::{settings, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::billing::{me, mp_notification, refund_notices, stripe_event};
use botfleet_tests::fakes::mercadopago::FakeMercadoPago;
use botfleet_tests::fakes::stripe::FakeStripe;
use infrastructure::repositories::Repositories;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    a_second_stripe_checkout_is_cancelled_and_refunded_once,
    a_second_mercado_pago_preapproval_is_cancelled_and_its_payment_refunded,
    two_checkouts_completed_at_once_leave_one_subscription,
);

async fn server(store: Store) -> (TestApp, Repositories, FakeMercadoPago, FakeStripe) {
    let (mp, stripe) = (FakeMercadoPago::start().await, FakeStripe::start().await);
    let mut extra = mp.settings();
    extra.extend(stripe.settings());
    extra.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "0".to_owned()));
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = spawn_with_repositories(settings(store, &pairs)).await;
    (app, repos, mp, stripe)
}

fn in_days(days: i64) -> i64 {
    (OffsetDateTime::now_utc() + Duration::days(days)).unix_timestamp()
}

/// The provider subscription botfleet bills `user` through.
async fn billed_by(repos: &Repositories, user: &Session) -> Option<String> {
    let id = user.user_id.parse().unwrap();
    repos.subscriptions.get_for_user(id).await.unwrap().provider_subscription_id
}

fn completed(user: &Session, sub: &str, plan: &str, invoice: &str) -> serde_json::Value {
    json!({"id": format!("cs_{sub}"), "object": "checkout.session", "mode": "subscription", "status": "complete",
        "payment_status": "paid", "client_reference_id": user.user_id, "customer": "cus_two",
        "subscription": sub, "invoice": invoice, "currency": "brl", "amount_total": 4990,
        "metadata": {"user_id": user.user_id, "plan": plan}})
}

async fn a_second_stripe_checkout_is_cancelled_and_refunded_once(store: Store) {
    let (app, repos, _mp, fake) = server(store).await;
    let user = app.user("two-stripe@example.com").await;
    fake.subscribe("sub_two_a", &user.user_id, "PRO", in_days(30));
    fake.pay_invoice("in_two_a", "cus_two", 1990, "brl");
    let first = completed(&user, "sub_two_a", "PRO", "in_two_a");
    assert_eq!(stripe_event(&app, "evt_two_1", "checkout.session.completed", first).await, "applied");
    assert_eq!(billed_by(&repos, &user).await.as_deref(), Some("sub_two_a"));

    // The MAX checkout of another tab, paid after the first.
    fake.subscribe("sub_two_b", &user.user_id, "MAX", in_days(30));
    fake.pay_invoice("in_two_b", "cus_two", 4990, "brl");
    let second = completed(&user, "sub_two_b", "MAX", "in_two_b");
    assert_eq!(stripe_event(&app, "evt_two_2", "checkout.session.completed", second.clone()).await, "applied");
    let now = me(&app, &user).await;
    assert_eq!((now["plan"].as_str(), now["status"].as_str()), (Some("PRO"), Some("active")), "{now}");
    assert_eq!(billed_by(&repos, &user).await.as_deref(), Some("sub_two_a"), "the first stays billed");
    assert_eq!(fake.cancelled_now(), ["sub_two_b"]);
    assert_eq!(fake.subscription("sub_two_b")["status"], "canceled");
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(
        (refunds[0]["payment_intent"].as_str(), refunds[0]["amount"].as_i64()),
        (Some("pi_in_two_b"), Some(4990)),
        "the second checkout's whole payment"
    );
    assert_eq!(refunds[0]["idempotency_key"], "botfleet-duplicate-in_two_b");

    // Notified again (Stripe retries, or sends it twice): cancelled again, refunded once.
    assert_eq!(stripe_event(&app, "evt_two_3", "checkout.session.completed", second).await, "applied");
    assert_eq!(fake.refunds().len(), 1, "one refund");
    assert_eq!(billed_by(&repos, &user).await.as_deref(), Some("sub_two_a"));

    // A third one only an update reports (its checkout event still to come): cancelled too.
    fake.subscribe("sub_two_c", &user.user_id, "MAX", in_days(30));
    let update = fake.subscription("sub_two_c");
    assert_eq!(stripe_event(&app, "evt_two_4", "customer.subscription.updated", update).await, "applied");
    assert_eq!(fake.cancelled_now(), ["sub_two_b", "sub_two_b", "sub_two_c"]);
    assert_eq!(me(&app, &user).await["plan"], "PRO");
    assert_eq!(billed_by(&repos, &user).await.as_deref(), Some("sub_two_a"));

    // A fourth whose first payment failed (incomplete): cancelled, nothing to refund.
    fake.subscribe("sub_two_d", &user.user_id, "MAX", in_days(30));
    fake.set_status("sub_two_d", "incomplete");
    let unpaid = completed(&user, "sub_two_d", "MAX", "in_two_d");
    assert_eq!(stripe_event(&app, "evt_two_5", "checkout.session.completed", unpaid).await, "applied");
    assert_eq!(fake.cancelled_now().last().map(String::as_str), Some("sub_two_d"));
    assert_eq!(fake.refunds().len(), 1, "no refund of a payment never made");
    assert_eq!(billed_by(&repos, &user).await.as_deref(), Some("sub_two_a"));

    // Told once that the second checkout's payment went back, and why.
    let told = refund_notices(&app, &user, 1).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!((told[0]["amount"].as_str(), told[0]["currency"].as_str()), (Some("49.90"), Some("BRL")), "{told:?}");
    assert_eq!((told[0]["plan"].as_str(), told[0]["provider"].as_str()), (Some("max"), Some("stripe")));
    assert!(told[0]["reason"].as_str().is_some_and(|r| r.contains("second subscription")), "{told:?}");
}

async fn a_second_mercado_pago_preapproval_is_cancelled_and_its_payment_refunded(store: Store) {
    let (app, repos, fake, _stripe) = server(store).await;
    let user = app.user("two-mp@example.com").await;
    // Two checkouts opened before either was paid: PRO, then MAX.
    for plan in ["PRO", "MAX"] {
        let body = json!({"plan": plan, "provider": "mercadopago",
            "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
        app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201);
    }
    let preapprovals = fake.preapprovals();
    let of = |plan: &str| {
        let found = preapprovals.iter().find(|(_, p)| p["external_reference"].as_str().unwrap().ends_with(plan));
        found.map(|(id, _)| id.clone()).unwrap()
    };
    let (pro, max) = (of("PRO"), of("MAX"));
    let next = (OffsetDateTime::now_utc() + Duration::days(30)).format(&Rfc3339).unwrap();
    let modified = (OffsetDateTime::now_utc() - Duration::minutes(5)).format(&Rfc3339).unwrap();
    let notify = |kind: &'static str, data: String, n: u64| {
        let app = &app;
        async move { mp_notification(app, kind, &data, n).await }
    };
    fake.set_preapproval(&pro, "authorized", &next, &modified);
    assert_eq!(notify("subscription_preapproval", pro.clone(), 1).await, "applied");
    assert_eq!(billed_by(&repos, &user).await, Some(pro.clone()));

    fake.set_preapproval(&max, "authorized", &next, &modified);
    assert_eq!(notify("subscription_preapproval", max.clone(), 2).await, "applied");
    assert_eq!(fake.preapprovals()[&max]["status"], "cancelled", "nothing more is billed");
    assert_eq!(fake.refund_count(), 0, "nothing was paid yet");
    // Its first payment had gone through before the cancellation: given back.
    fake.add_payment("91234567002", &max, "approved");
    assert_eq!(notify("payment", "91234567002".into(), 3).await, "applied");
    assert_eq!(fake.refund_count(), 1);
    let now = me(&app, &user).await;
    assert_eq!((now["plan"].as_str(), now["status"].as_str()), (Some("PRO"), Some("active")), "{now}");
    assert_eq!(billed_by(&repos, &user).await, Some(pro.clone()), "the first stays billed");
    assert_eq!(fake.preapprovals()[&pro]["status"], "authorized");
    let told = refund_notices(&app, &user, 1).await;
    assert_eq!(told.len(), 1, "{told:?}");
    let paid = fake.payment("91234567002")["transaction_amount"].as_f64().map(|a| format!("{a:.2}"));
    assert_eq!((told[0]["amount"].as_str(), told[0]["plan"].as_str()), (paid.as_deref(), Some("max")), "{told:?}");
    assert_eq!(told[0]["provider"], "mercado_pago");
    assert!(told[0]["reason"].as_str().is_some_and(|r| r.contains("second subscription")), "{told:?}");
}

/// Both tabs' checkouts notified at the same moment, for a user who pays nothing yet: the rule is
/// the domain's, checked under the versioned write, so one lands and the other is ended.
async fn two_checkouts_completed_at_once_leave_one_subscription(store: Store) {
    let (app, repos, _mp, fake) = server(store).await;
    let user = app.user("two-at-once@example.com").await;
    for (sub, invoice) in [("sub_once_a", "in_once_a"), ("sub_once_b", "in_once_b")] {
        fake.subscribe(sub, &user.user_id, "PRO", in_days(30));
        fake.pay_invoice(invoice, "cus_two", 4990, "brl");
    }
    let (a, b) =
        (completed(&user, "sub_once_a", "PRO", "in_once_a"), completed(&user, "sub_once_b", "PRO", "in_once_b"));
    let (first, second) = futures::join!(
        stripe_event(&app, "evt_once_a", "checkout.session.completed", a),
        stripe_event(&app, "evt_once_b", "checkout.session.completed", b)
    );
    assert_eq!((first.as_str(), second.as_str()), ("applied", "applied"));
    let billed = billed_by(&repos, &user).await.expect("one subscription is billed");
    let ended = if billed == "sub_once_a" { "sub_once_b" } else { "sub_once_a" };
    assert_eq!(fake.cancelled_now(), [ended], "the other is cancelled");
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0]["payment_intent"], format!("pi_in_once_{}", &ended[ended.len() - 1..]));
    assert_eq!(me(&app, &user).await["plan"], "PRO");
}
