//! The free trial through the running server on both stores: PRO for `BOTFLEET_TRIAL_DAYS`
//! (7 by default) once per user, shown by `/api/plans` only when on; with no payment by its end
//! it lapses to FREE with the bots beyond FREE's limit paused; a second trial is refused. A first
//! card checkout of PRO on Stripe asks for Stripe's trial (`trial_period_days`), which then counts
//! as the user's one trial.

use botfleet_tests::app::{settings, spawn_with, Store};
use botfleet_tests::bots::{bot, bot_app, running_smart_bots};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    a_trial_without_payment_lapses_to_free_once,
    trials_can_be_switched_off,
    a_first_stripe_checkout_of_pro_starts_stripes_trial_once,
);

async fn a_trial_without_payment_lapses_to_free_once(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let plans = app.get("/api/plans", None).await.ok(200).clone();
    let trial_days: Vec<_> = plans["items"].as_array().unwrap().iter().map(|p| p["trial_days"].clone()).collect();
    assert_eq!(trial_days, [json!(null), json!(7), json!(null)], "PRO offers the 7-day trial");
    let user = app.user("trial-a@example.com").await;

    let started = app.post("/api/subscriptions/trial", Some(&user.access), &json!({})).await.ok(201).clone();
    assert_eq!((started["plan"].as_str(), started["status"].as_str()), (Some("PRO"), Some("trialing")), "{started}");
    let end = OffsetDateTime::parse(started["current_period_end"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!((end - OffsetDateTime::now_utc() - Duration::days(7)).abs() < Duration::minutes(1), "{end}");
    let bots = running_smart_bots(&app, &user, 3).await;
    let again = app.post("/api/subscriptions/trial", Some(&user.access), &json!({})).await;
    again.problem(409, "trial_used");

    // The seven days pass with no payment.
    let owner = user.user_id.parse().unwrap();
    let mut stored = repos.subscriptions.get_for_user(owner).await.unwrap();
    stored.current_period_end = Some(OffsetDateTime::now_utc() - Duration::seconds(1));
    repos.subscriptions.update(&stored).await.unwrap();

    let me = app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!((me["plan"].as_str(), me["usage"]["bots"]["limit"].as_u64()), (Some("FREE"), Some(2)), "{me}");
    assert!(me["status_reason"].as_str().is_some_and(|r| r.contains("trial ended")), "{me}");
    let mut statuses = Vec::new();
    for id in &bots {
        statuses.push(bot(&app, &user, id).await["status"].clone());
    }
    assert_eq!(statuses, [json!("running"), json!("running"), json!("paused")], "FREE keeps the two oldest bots");
    let refused = app.post("/api/subscriptions/trial", Some(&user.access), &json!({})).await;
    assert!(refused.problem(409, "trial_used")["detail"].as_str().unwrap().contains("trial was already used"));
}

async fn trials_can_be_switched_off(store: Store) {
    let app = spawn_with(settings(store, &[("BOTFLEET_TRIAL_DAYS", "0")])).await;
    let plans = app.get("/api/plans", None).await.ok(200).clone();
    assert!(plans["items"].as_array().unwrap().iter().all(|p| p.get("trial_days").is_none()), "{plans}");
    let user = app.user("trial-b@example.com").await;
    app.post("/api/subscriptions/trial", Some(&user.access), &json!({})).await.problem(409, "trial_unavailable");
}

fn card(plan: &str) -> Value {
    json!({"plan": plan, "provider": "stripe", "success_url": "https://app.example.com/ok",
        "cancel_url": "https://app.example.com/no"})
}

async fn a_first_stripe_checkout_of_pro_starts_stripes_trial_once(store: Store) {
    let fake = FakeStripe::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, _) = bot_app(store, &pairs).await;
    let trial_of =
        |form: &std::collections::HashMap<String, String>| form.get("subscription_data[trial_period_days]").cloned();
    // Ana never had a trial: her PRO checkout asks for Stripe's 7 days; MAX has no trial.
    let ana = app.user("trial-stripe-a@example.com").await;
    app.post("/api/subscriptions/checkout", Some(&ana.access), &card("MAX")).await.ok(201);
    assert_eq!(trial_of(&fake.sessions()[0]), None, "no trial on MAX");
    app.post("/api/subscriptions/checkout", Some(&ana.access), &card("PRO")).await.ok(201);
    let sessions = fake.sessions();
    assert_eq!(sessions.iter().filter_map(trial_of).collect::<Vec<_>>(), ["7"]);
    // Bia used the free trial already: no second one at Stripe.
    let bia = app.user("trial-stripe-b@example.com").await;
    app.post("/api/subscriptions/trial", Some(&bia.access), &json!({})).await.ok(201);
    app.post("/api/subscriptions/checkout", Some(&bia.access), &card("PRO")).await.ok(201);
    assert_eq!(fake.sessions().iter().filter_map(trial_of).count(), 1, "Bia's session has no trial");

    // Ana completes the checkout: Stripe's subscription is trialing, and so is hers.
    let now = OffsetDateTime::now_utc().unix_timestamp();
    fake.subscribe("sub_trial_a", &ana.user_id, "PRO", now + 7 * 86_400);
    fake.set_status("sub_trial_a", "trialing");
    let completed = json!({"id": "cs_test_9", "object": "checkout.session", "mode": "subscription",
        "status": "complete", "payment_status": "no_payment_required", "client_reference_id": ana.user_id,
        "customer": "cus_trial_a", "subscription": "sub_trial_a", "metadata": {"user_id": ana.user_id, "plan": "PRO"}});
    let (body, signature) =
        signed_event("evt_trial_a", "checkout.session.completed", completed, now, stripe::WEBHOOK_SECRET, now);
    let ack = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    assert_eq!(ack.ok(200)["outcome"], "applied");
    let me = app.get("/api/subscriptions/me", Some(&ana.access)).await.ok(200).clone();
    assert_eq!(
        (me["plan"].as_str(), me["status"].as_str(), me["provider"].as_str()),
        (Some("PRO"), Some("trialing"), Some("stripe")),
        "{me}"
    );
    // That was her trial: no free one on top.
    let again = app.post("/api/subscriptions/trial", Some(&ana.access), &json!({})).await;
    assert_eq!(again.status, 409, "{}", again.text);
}
