//! The free trial through the running server on both stores: PRO for `BOTFLEET_TRIAL_DAYS`
//! (7 by default) once per user, shown by `/api/plans` only when on; with no payment by its end
//! it lapses to FREE with the bots beyond FREE's limit paused; a second trial is refused.

use botfleet_tests::app::{settings, spawn_with, Store};
use botfleet_tests::bots::{bot, bot_app, running_smart_bots};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(a_trial_without_payment_lapses_to_free_once, trials_can_be_switched_off);

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
