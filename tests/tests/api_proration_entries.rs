//! Stripe proration invoices on the invoice list, through the running server on both stores: the
//! invoice a PRO -> MAX change charges at once (`billing_reason: subscription_update`, proration
//! lines) is listed once as a `proration` entry of its amount, not as a card payment, and a
//! proration credit (negative total) as a negative `proration` entry; a renewal stays a `payment`.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::billing::stripe_event;
use botfleet_tests::bots::bot_app;
use botfleet_tests::fakes::stripe::FakeStripe;
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(a_plan_changes_proration_invoice_is_a_proration_entry);

const DAY: i64 = 86_400;

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn invoices(app: &TestApp, user: &Session) -> Value {
    app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone()
}

async fn a_plan_changes_proration_invoice_is_a_proration_entry(store: Store) {
    let fake = FakeStripe::start().await;
    let settings = fake.settings();
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = bot_app(store, &pairs).await.0;
    let user = app.user("proration-a@example.com").await;
    fake.subscribe_for("sub_pr_1", &user.user_id, "PRO", now() - 10 * DAY, now() + 20 * DAY);
    let checkout = json!({"id": "cs_pr_1", "object": "checkout.session", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": "sub_pr_1", "metadata": {"user_id": user.user_id, "plan": "PRO"}});
    assert_eq!(stripe_event(&app, "evt_pr_checkout", "checkout.session.completed", checkout).await, "applied");

    app.post("/api/subscriptions/change", Some(&user.access), &json!({"plan": "MAX"})).await.ok(200);
    let invoice = fake.invoices().pop().unwrap();
    let due = invoice["amount_due"].as_i64().unwrap();
    assert!(due > 5000, "{invoice}");
    for n in 0..2 {
        let outcome = stripe_event(&app, &format!("evt_pr_paid_{n}"), "invoice.paid", invoice.clone()).await;
        assert_ne!(outcome, "ignored");
    }
    let listed = invoices(&app, &user).await;
    assert_eq!(listed["total"], 1, "listed once: {listed}");
    let entry = &listed["items"][0];
    assert_eq!((entry["kind"].as_str(), entry["plan"].as_str()), (Some("proration"), Some("MAX")), "{entry}");
    let amount = rust_decimal::Decimal::new(due, 2).to_string();
    assert_eq!((entry["amount"].as_str(), entry["status"].as_str()), (Some(amount.as_str()), Some("approved")));
    assert_eq!(entry["provider_reference"], invoice["id"]);

    // A credit: Stripe's total is negative, nothing is paid.
    let line = |amount: i64| {
        json!({"amount": amount, "parent": {"type": "subscription_item_details",
            "subscription_item_details": {"proration": true, "subscription": "sub_pr_1"}}})
    };
    let credit = json!({"id": "in_pr_credit", "object": "invoice", "status": "paid", "currency": "brl",
        "billing_reason": "subscription_update", "amount_paid": 0, "total": -1327,
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_pr_1"}},
        "lines": {"object": "list", "data": [line(-6467), line(5140)]}});
    stripe_event(&app, "evt_pr_credit", "invoice.paid", credit).await;
    let renewal = fake.renew("sub_pr_1");
    assert_eq!(stripe_event(&app, "evt_pr_renewal", "invoice.paid", renewal).await, "applied");
    let listed = invoices(&app, &user).await;
    let kinds: Vec<(&str, &str)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["amount"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("proration", "-13.27")), "{listed}");
    assert!(kinds.contains(&("payment", "97.00")), "the renewal is a payment: {listed}");
    assert_eq!(kinds.len(), 3, "{listed}");
}
