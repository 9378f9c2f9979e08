//! The assistant's daily quota through the running server on both stores: FREE 10 and PRO 100
//! messages a day (the UTC day), MAX unlimited; counted in `GET /api/subscriptions/me`, sold in
//! `GET /api/plans`, and refused beyond the limit with the plan and the reset time, the refused
//! message neither kept nor counted.

use botfleet_tests::app::Store;
use botfleet_tests::assistant::{ask, conversation, send};
use botfleet_tests::bots::{bot_app, trader};
use domain::subscriptions::Plan;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(the_daily_quota_counts_and_refuses_with_the_plan_and_the_reset_time);

async fn the_daily_quota_counts_and_refuses_with_the_plan_and_the_reset_time(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (free, _) = trader(&app, &repos, "free@example.com", Plan::Free).await;
    let (max, _) = trader(&app, &repos, "max@example.com", Plan::Max).await;
    let plans = app.get("/api/plans", None).await.ok(200).clone();
    let quotas: Vec<Value> =
        plans["items"].as_array().unwrap().iter().map(|p| p["entitlements"]["chat_messages_per_day"].clone()).collect();
    assert_eq!(quotas, [json!(10), json!(100), Value::Null]);

    let c = conversation(&app, &free).await;
    for n in 1..=10u64 {
        assert_eq!(ask(&app, &free, &c, "list my bots").await["quota"]["used"], n);
    }
    let usage =
        &app.get("/api/subscriptions/me", Some(&free.access)).await.ok(200)["usage"]["chat_messages_today"].clone();
    assert_eq!(*usage, json!({"used": 10, "limit": 10}));
    let refused = send(&app, &free, &c, "list my bots").await;
    let problem = refused.problem(429, "chat_quota_exhausted").clone();
    let tomorrow = (OffsetDateTime::now_utc().date().next_day().unwrap()).midnight().assume_utc();
    assert_eq!(problem["plan"], "FREE");
    assert_eq!(OffsetDateTime::parse(problem["resets_at"].as_str().unwrap(), &Rfc3339).unwrap(), tomorrow);
    let retry: i64 = refused.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 86_400, "{retry}");
    // The refused message is not kept nor counted.
    assert_eq!(app.get(&format!("/api/assistant/conversations/{c}"), Some(&free.access)).await.ok(200)["total"], 20);
    assert_eq!(
        app.get("/api/subscriptions/me", Some(&free.access)).await.ok(200)["usage"]["chat_messages_today"]["used"],
        10
    );

    // MAX is unlimited.
    let m = conversation(&app, &max).await;
    for _ in 0..11 {
        ask(&app, &max, &m, "list my bots").await;
    }
    let usage =
        &app.get("/api/subscriptions/me", Some(&max.access)).await.ok(200)["usage"]["chat_messages_today"].clone();
    assert_eq!(*usage, json!({"used": 11, "limit": null}));
}
