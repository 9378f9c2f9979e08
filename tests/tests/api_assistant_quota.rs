//! The assistant's daily quota through the running server on both stores: FREE 10 and PRO 100
//! messages a day (the user's local day, in their profile's time zone), MAX unlimited; counted in
//! `GET /api/subscriptions/me`, sold in `GET /api/plans`, and refused beyond the limit with the
//! plan and the reset time, the refused message neither kept nor counted.

use std::sync::Arc;

use botfleet_tests::app::{settings, spawn_with_clock, Session, Store, TestApp};
use botfleet_tests::assistant::{ask, conversation, send};
use botfleet_tests::bots::{bot_app, trader};
use domain::shared::clock::FixedClock;
use domain::subscriptions::Plan;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    the_daily_quota_counts_and_refuses_with_the_plan_and_the_reset_time,
    the_quota_day_is_the_users_local_day,
    language_and_time_zone_are_chosen_at_registration
);

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
    // The default zone, São Paulo, is UTC-3 all year: its next midnight is at 03:00 UTC.
    let local = OffsetDateTime::now_utc().to_offset(time::macros::offset!(-3));
    let tomorrow = local.date().next_day().unwrap().midnight().assume_offset(time::macros::offset!(-3));
    assert_eq!(problem["plan"], "FREE");
    assert_eq!(rfc3339(&problem["resets_at"]), tomorrow);
    let retry: i64 = refused.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 86_400, "{retry}");
    // The refused message is not kept nor counted.
    assert_eq!(app.get(&format!("/api/assistant/conversations/{c}"), Some(&free.access)).await.ok(200)["total"], 20);
    assert_eq!(
        app.get("/api/subscriptions/me", Some(&free.access)).await.ok(200)["usage"]["chat_messages_today"]["used"],
        10
    );

    // PRO: 100 a day, refused at the 101st naming PRO.
    let (pro, _) = trader(&app, &repos, "pro@example.com", Plan::Pro).await;
    let p = conversation(&app, &pro).await;
    for _ in 0..100 {
        ask(&app, &pro, &p, "list my bots").await;
    }
    let refused = send(&app, &pro, &p, "list my bots").await;
    assert_eq!(refused.problem(429, "chat_quota_exhausted")["plan"], "PRO");
    let usage =
        app.get("/api/subscriptions/me", Some(&pro.access)).await.ok(200)["usage"]["chat_messages_today"].clone();
    assert_eq!(usage, json!({"used": 100, "limit": 100}));

    // MAX is unlimited.
    let m = conversation(&app, &max).await;
    for _ in 0..11 {
        ask(&app, &max, &m, "list my bots").await;
    }
    let usage =
        &app.get("/api/subscriptions/me", Some(&max.access)).await.ok(200)["usage"]["chat_messages_today"].clone();
    assert_eq!(*usage, json!({"used": 11, "limit": null}));
}

/// Logs `user` in again (the server's clock moved past the access token's 15 minutes).
async fn again(app: &TestApp, user: &Session) -> Session {
    let (access, refresh) = app.login(&user.email, &user.password).await;
    Session { access, refresh, ..user.clone() }
}

fn rfc3339(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().expect("an RFC 3339 string"), &Rfc3339).expect("RFC 3339")
}

async fn used_today(app: &TestApp, user: &Session) -> Value {
    app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200)["usage"]["chat_messages_today"]["used"].clone()
}

async fn the_quota_day_is_the_users_local_day(store: Store) {
    // 2026-12-06 02:30 UTC is 23:30 on the 5th in São Paulo (UTC-3), the default time zone.
    let clock = Arc::new(FixedClock::new(datetime!(2026-12-06 02:30 UTC)));
    let settings = settings(store, &[("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000")]);
    let (app, _repos) = spawn_with_clock(settings, clock.clone()).await;
    let ana = app.user("ana@example.com").await;
    assert_eq!(app.get("/api/auth/me", Some(&ana.access)).await.ok(200)["time_zone"], "America/Sao_Paulo");

    let c = conversation(&app, &ana).await;
    for _ in 0..10 {
        ask(&app, &ana, &c, "liste meus bots").await;
    }
    let refused = send(&app, &ana, &c, "liste meus bots").await;
    let problem = refused.problem(429, "chat_quota_exhausted");
    assert_eq!(rfc3339(&problem["resets_at"]), datetime!(2026-12-06 03:00 UTC), "local midnight, in UTC");
    let detail = problem["detail"].as_str().unwrap();
    assert_eq!(
        detail,
        "o plano FREE permite 10 mensagens ao assistente por dia; a cota renova em 2026-12-06T03:00:00Z"
    );
    assert_eq!(refused.headers.get("retry-after").unwrap(), "1800", "30 minutes by the server's clock");

    // 00:30 local on the 6th (03:30 UTC, the same UTC day): a new day for Ana.
    clock.advance(Duration::hours(1));
    let ana = again(&app, &ana).await;
    assert_eq!(used_today(&app, &ana).await, 0);
    let answer = ask(&app, &ana, &c, "liste meus bots").await;
    assert_eq!(answer["quota"]["used"], 1);
    assert_eq!(rfc3339(&answer["quota"]["resets_at"]), datetime!(2026-12-07 03:00 UTC));

    // A zone the tz database does not spell so is refused, naming the field; nothing changes.
    for bad in ["Mars/Olympus", "america/new_york", "-03:00"] {
        let answer = app.put("/api/auth/me", Some(&ana.access), &json!({"time_zone": bad})).await;
        let problem = answer.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "time_zone", "{bad}: {problem}");
    }
    let me = app.put("/api/auth/me", Some(&ana.access), &json!({"time_zone": "America/New_York"})).await;
    assert_eq!(me.ok(200)["time_zone"], "America/New_York");
    let export = app.get("/api/users/me/export", Some(&ana.access)).await.ok(200).clone();
    assert_eq!(export["profile"]["time_zone"], "America/New_York", "the LGPD export carries it");

    // New York on 14 March 2027, the 23-hour day clocks jump from 02:00 EST to 03:00 EDT: the
    // day runs from 05:00 UTC to 04:00 UTC the next day.
    clock.set(datetime!(2027-03-14 05:30 UTC)); // 00:30 EST
    let ana = again(&app, &ana).await;
    ask(&app, &ana, &c, "list my bots").await;
    clock.set(datetime!(2027-03-15 03:30 UTC)); // 23:30 EDT, the same day
    let ana = again(&app, &ana).await;
    let answer = ask(&app, &ana, &c, "list my bots").await;
    assert_eq!(answer["quota"]["used"], 2);
    assert_eq!(rfc3339(&answer["quota"]["resets_at"]), datetime!(2027-03-15 04:00 UTC));
    clock.set(datetime!(2027-03-15 04:30 UTC)); // 00:30 EDT on the 15th
    let ana = again(&app, &ana).await;
    assert_eq!(used_today(&app, &ana).await, 0);
}

async fn language_and_time_zone_are_chosen_at_registration(store: Store) {
    // 2026-12-06 14:30 UTC is 23:30 in Tokyo (UTC+9 all year).
    let clock = Arc::new(FixedClock::new(datetime!(2026-12-06 14:30 UTC)));
    let (app, repos) =
        spawn_with_clock(settings(store, &[("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000")]), clock).await;
    let form = |language: &str, time_zone: &str| {
        json!({"email": "kei@example.com", "password": botfleet_tests::app::PASSWORD, "name": "Kei",
            "accept_terms": true, "accept_privacy": true, "language": language, "time_zone": time_zone})
    };

    // Bad values are refused naming each field, and nothing is created.
    let bad = app.post("/api/auth/register", None, &form("fr", "asia/tokyo")).await;
    let fields: Vec<Value> = bad.problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(fields, [json!("language"), json!("time_zone")]);
    let email = domain::identity::Email::parse("kei@example.com").unwrap();
    assert!(repos.users.find_by_email(&email).await.unwrap().is_none(), "no half-written account");

    let profile = app.post("/api/auth/register", None, &form("en", "Asia/Tokyo")).await.ok(201).clone();
    assert_eq!((profile["language"].as_str(), profile["time_zone"].as_str()), (Some("en"), Some("Asia/Tokyo")));
    let (access, refresh) = app.login("kei@example.com", botfleet_tests::app::PASSWORD).await;
    let kei = Session {
        user_id: profile["id"].as_str().unwrap().to_owned(),
        email: "kei@example.com".into(),
        password: botfleet_tests::app::PASSWORD.into(),
        access,
        refresh,
    };
    let me = app.get("/api/auth/me", Some(&kei.access)).await.ok(200).clone();
    assert_eq!((me["language"].as_str(), me["time_zone"].as_str()), (Some("en"), Some("Asia/Tokyo")));

    // The quota's day is Tokyo's, and a message that says nothing of its language is answered in
    // the registered one.
    let c = conversation(&app, &kei).await;
    let answer = ask(&app, &kei, &c, "Alpha?").await;
    assert!(answer["answer"]["text"].as_str().unwrap().starts_with("Without a language model"), "{answer}");
    assert_eq!(rfc3339(&answer["quota"]["resets_at"]), datetime!(2026-12-06 15:00 UTC), "Tokyo's midnight");
}
