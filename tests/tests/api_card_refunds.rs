//! Card refunds and chargebacks received by webhook, end to end on both stores against the strict
//! fakes: Stripe `charge.refunded` found through the invoice its payment intent paid, partial
//! then full (one refund entry, its amount raised; the plan ends only on the full refund of the
//! running period, the Stripe subscription cancelled at once), `charge.dispute.created`, a refund
//! of an older period that only records, another customer's charge ignored; and a Mercado Pago
//! preapproval payment refunded, recorded and ending the plan.

use botfleet_tests::app::{settings, spawn_with, Session, Store, TestApp};
use botfleet_tests::billing::{me, mp_notification};
use botfleet_tests::fakes::mercadopago::FakeMercadoPago;
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    a_stripe_refund_partial_then_full_ends_the_running_period_once,
    a_dispute_ends_the_plan_and_an_old_refund_only_records,
    a_refunded_mercado_pago_card_payment_ends_the_plan,
);

async fn server(store: Store) -> (TestApp, FakeMercadoPago, FakeStripe) {
    let (mp, stripe) = (FakeMercadoPago::start().await, FakeStripe::start().await);
    let mut extra = mp.settings();
    extra.extend(stripe.settings());
    extra.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "0".to_owned()));
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (spawn_with(settings(store, &pairs)).await, mp, stripe)
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn event(app: &TestApp, id: &str, kind: &str, object: Value) -> String {
    let (body, signature) = signed_event(id, kind, object, now(), stripe::WEBHOOK_SECRET, now());
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    answer.ok(200)["outcome"].as_str().unwrap().to_owned()
}

async fn refunds(app: &TestApp, user: &Session) -> Vec<Value> {
    let list = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    list["items"].as_array().unwrap().iter().filter(|i| i["status"] == "refunded").cloned().collect()
}

/// `user` subscribed to PRO on Stripe (`sub`, customer `cus_<sub>`), invoice `in_<sub>` paid for the
/// period running now and one `in_<sub>_old` for the period before.
async fn subscribed(app: &TestApp, fake: &FakeStripe, user: &Session, sub: &str) {
    let end = now() + 20 * 86_400;
    fake.subscribe(sub, &user.user_id, "PRO", end);
    let customer = format!("cus_{sub}");
    let session = json!({"id": format!("cs_{sub}"), "object": "checkout.session", "mode": "subscription",
        "status": "complete", "client_reference_id": user.user_id, "customer": customer, "subscription": sub,
        "metadata": {"user_id": user.user_id, "plan": "PRO"}});
    assert_eq!(event(app, &format!("evt_{sub}_0"), "checkout.session.completed", session).await, "applied");
    for (invoice, period_end) in [(format!("in_{sub}_old"), end - 30 * 86_400), (format!("in_{sub}"), end)] {
        let paid = json!({"id": invoice, "object": "invoice", "status": "paid", "amount_paid": 1990,
            "currency": "brl", "customer": customer,
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub}},
            "lines": {"object": "list", "data": [{"id": "il_1",
                "period": {"start": period_end - 30 * 86_400, "end": period_end}}]}});
        event(app, &format!("evt_{invoice}"), "invoice.paid", paid).await;
        fake.pay_invoice(&invoice, &customer, 1990, "brl");
    }
}

fn charge(invoice: &str, customer: &str, refunded: i64) -> Value {
    json!({"id": format!("ch_{invoice}"), "object": "charge", "amount": 1990, "amount_refunded": refunded,
        "currency": "brl", "customer": customer, "payment_intent": format!("pi_{invoice}"),
        "refunded": refunded == 1990, "paid": true, "status": "succeeded"})
}

async fn a_stripe_refund_partial_then_full_ends_the_running_period_once(store: Store) {
    let (app, _mp, fake) = server(store).await;
    let user = app.user("card-refund-a@example.com").await;
    subscribed(&app, &fake, &user, "sub_cr_a").await;

    let partial = charge("in_sub_cr_a", "cus_sub_cr_a", 500);
    assert_eq!(event(&app, "evt_cr_a1", "charge.refunded", partial.clone()).await, "applied");
    assert_eq!(event(&app, "evt_cr_a2", "charge.refunded", partial).await, "unchanged", "the same amount again");
    let listed = refunds(&app, &user).await;
    assert_eq!((listed.len(), listed[0]["amount"].as_str()), (1, Some("-5.00")), "{listed:?}");
    assert_eq!((me(&app, &user).await["plan"].as_str(), fake.cancelled_now().len()), (Some("PRO"), 0));

    let other = charge("in_sub_cr_a", "cus_someone_else", 1990);
    assert_eq!(event(&app, "evt_cr_a3", "charge.refunded", other).await, "ignored", "another customer's");
    let full = charge("in_sub_cr_a", "cus_sub_cr_a", 1990);
    assert_eq!(event(&app, "evt_cr_a4", "charge.refunded", full.clone()).await, "applied");
    let free = me(&app, &user).await;
    assert_eq!(free["plan"], "FREE", "{free}");
    assert!(free["status_reason"].as_str().is_some_and(|r| r.contains("refunded")), "{free}");
    assert_eq!(fake.cancelled_now(), ["sub_cr_a"], "nothing more is billed");
    let listed = refunds(&app, &user).await;
    assert_eq!((listed.len(), listed[0]["amount"].as_str()), (1, Some("-19.90")), "one entry, raised: {listed:?}");
    assert_eq!(listed[0]["provider_reference"], "in_sub_cr_a");
    assert_eq!(event(&app, "evt_cr_a5", "charge.refunded", full).await, "unchanged");
    assert_eq!(fake.cancelled_now().len(), 1);
}

async fn a_dispute_ends_the_plan_and_an_old_refund_only_records(store: Store) {
    let (app, _mp, fake) = server(store).await;
    let user = app.user("card-refund-b@example.com").await;
    subscribed(&app, &fake, &user, "sub_cr_b").await;
    let old = charge("in_sub_cr_b_old", "cus_sub_cr_b", 1990);
    assert_eq!(event(&app, "evt_cr_b1", "charge.refunded", old).await, "applied");
    assert_eq!(me(&app, &user).await["plan"], "PRO", "an older period's refund only records");
    assert_eq!(refunds(&app, &user).await.len(), 1);

    let dispute = json!({"id": "dp_cr_b", "object": "dispute", "amount": 1990, "currency": "brl",
        "charge": "ch_in_sub_cr_b", "payment_intent": "pi_in_sub_cr_b", "reason": "fraudulent",
        "status": "needs_response"});
    assert_eq!(event(&app, "evt_cr_b2", "charge.dispute.created", dispute).await, "applied");
    assert_eq!(me(&app, &user).await["plan"], "FREE");
    assert_eq!(refunds(&app, &user).await.len(), 2);
    let stranger = json!({"id": "ch_x", "object": "charge", "amount": 100, "amount_refunded": 100,
        "currency": "brl", "customer": "cus_x", "payment_intent": "pi_unknown"});
    assert_eq!(event(&app, "evt_cr_b3", "charge.refunded", stranger).await, "ignored");
}

async fn a_refunded_mercado_pago_card_payment_ends_the_plan(store: Store) {
    let (app, fake, _stripe) = server(store).await;
    let user = app.user("card-refund-c@example.com").await;
    let body = json!({"plan": "PRO", "provider": "mercadopago",
        "success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"});
    app.post("/api/subscriptions/checkout", Some(&user.access), &body).await.ok(201);
    let id = fake.preapprovals().into_keys().next().unwrap();
    let next = (OffsetDateTime::now_utc() + Duration::days(20)).format(&Rfc3339).unwrap();
    let modified = (OffsetDateTime::now_utc() - Duration::minutes(5)).format(&Rfc3339).unwrap();
    fake.set_preapproval(&id, "authorized", &next, &modified);
    let notify = |kind: &'static str, data: String, n: u64| {
        let app = &app;
        async move { mp_notification(app, kind, &data, n).await }
    };
    assert_eq!(notify("subscription_preapproval", id.clone(), 1).await, "applied");
    fake.add_payment("91234567001", &id, "approved");
    notify("payment", "91234567001".into(), 2).await;
    assert_eq!(me(&app, &user).await["plan"], "PRO");

    fake.refund_payment("91234567001", false);
    assert_eq!(notify("payment", "91234567001".into(), 3).await, "applied");
    assert_eq!(notify("payment", "91234567001".into(), 4).await, "unchanged");
    let free = me(&app, &user).await;
    assert_eq!(free["plan"], "FREE", "{free}");
    assert_eq!(fake.preapprovals()[&id]["status"], "cancelled", "nothing more is billed");
    let listed = refunds(&app, &user).await;
    assert_eq!(
        (listed.len(), listed[0]["amount"].as_str(), listed[0]["method"].as_str()),
        (1, Some("-19.90"), Some("card"))
    );
}
