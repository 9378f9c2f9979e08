//! The operators' user list on its facets, through the running server on both stores: each facet
//! moves with the write that moves it (a trial started and lapsed, a Stripe subscription
//! activated, cancelled and ended, a bot started, stopped and deleted, a context created and
//! deleted); pages of every sort across combined filters; and `plan=FREE` listed past 10,000
//! matching users, which the former joins refused with a 422.

use std::time::Instant;

use botfleet_tests::app::{Session, Store, TestApp, PASSWORD};
use botfleet_tests::backoffice::{create_operator, enrol_and_login, extra, Operator, DOMAIN};
use botfleet_tests::bots::{bot_app, command, running_smart_bots};
use botfleet_tests::contract::bots::busy_bot;
use botfleet_tests::contract::fixtures::{subscription, user as user_fixture};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use domain::backoffice::OperatorRole;
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::subscriptions::Plan;
use futures::StreamExt;
use infrastructure::repositories::Repositories;
use reqwest::Method;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    each_facet_moves_with_the_write_that_moves_it,
    pages_of_every_sort_across_combined_filters,
    plan_free_is_listed_past_ten_thousand_users,
);

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A registered, logged-in user whose requests come from `ip` (the server trusts the loopback
/// proxy, so each user has their own registration limit).
async fn user(app: &TestApp, email: &str, ip: &str) -> Session {
    let headers = [("x-forwarded-for", ip)];
    let body = json!({"email": email, "password": PASSWORD, "name": "Test User",
        "accept_terms": true, "accept_privacy": true});
    let profile = app.call(Method::POST, "/api/auth/register", None, Some(&body), &headers).await;
    let user_id = profile.ok(201)["id"].as_str().unwrap().to_owned();
    let body = json!({"email": email, "password": PASSWORD});
    let tokens = app.call(Method::POST, "/api/auth/login", None, Some(&body), &headers).await.ok(200).clone();
    Session {
        user_id,
        email: email.to_owned(),
        password: PASSWORD.to_owned(),
        access: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
    }
}

async fn admin(app: &TestApp, repos: &Repositories) -> Operator {
    let email = format!("ada@{DOMAIN}");
    create_operator(repos, &email, OperatorRole::Admin).await;
    enrol_and_login(app, &email, "10.0.30.1").await
}

/// The local parts of the e-mails of the whole list at `query` (one page), by e-mail.
async fn listed(app: &TestApp, op: &Operator, query: &str) -> Vec<String> {
    let body = op.get(app, &format!("/backoffice/api/users?{query}&sort=email_asc")).await.ok(200).clone();
    let items = body["items"].as_array().unwrap();
    assert_eq!(body["total"].as_u64().unwrap(), items.len() as u64, "{query}: one page holds all");
    items.iter().map(|u| u["email"].as_str().unwrap().split('@').next().unwrap().to_owned()).collect()
}

/// Delivers a signed Stripe event `later` seconds after now (the provider's order).
async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value, later: i64) {
    let (body, signature) = signed_event(id, kind, object, now() + later, stripe::WEBHOOK_SECRET, now());
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    assert_eq!(answer.ok(200)["outcome"], "applied");
}

async fn each_facet_moves_with_the_write_that_moves_it(store: Store) {
    let fake = FakeStripe::start().await;
    let stripe_settings = fake.settings();
    let mut pairs = extra();
    pairs.extend(stripe_settings.iter().map(|(k, v)| (*k, v.as_str())));
    let (app, repos) = bot_app(store, &pairs).await;
    let op = admin(&app, &repos).await;
    let ana = user(&app, "ana@example.com", "10.0.31.1").await;
    let bia = user(&app, "bia@example.com", "10.0.31.2").await;
    assert_eq!(listed(&app, &op, "plan=FREE").await, ["ana", "bia"]);

    // Ana's trial: PRO, trialing; then it lapses unpaid, back to FREE.
    app.post("/api/subscriptions/trial", Some(&ana.access), &json!({})).await.ok(201);
    assert_eq!(listed(&app, &op, "plan=PRO&subscription_status=trialing").await, ["ana"]);
    assert_eq!(listed(&app, &op, "plan=FREE").await, ["bia"]);
    let mut stored = repos.subscriptions.get_for_user(ana.user_id.parse().unwrap()).await.unwrap();
    stored.current_period_end = Some(OffsetDateTime::now_utc() - Duration::seconds(1));
    repos.subscriptions.update(&stored).await.unwrap();
    app.get("/api/subscriptions/me", Some(&ana.access)).await.ok(200);
    assert_eq!(listed(&app, &op, "subscription_status=trialing").await, Vec::<String>::new());
    assert_eq!(listed(&app, &op, "plan=FREE&subscription_status=active").await, ["ana", "bia"]);

    // Bia subscribes through Stripe, cancels at the period end (PRO until then), and it ends.
    fake.subscribe("sub_facets_b", &bia.user_id, "PRO", now() + 30 * 86_400);
    let completed = json!({"id": "cs_facets_b", "object": "checkout.session", "mode": "subscription",
        "status": "complete", "payment_status": "paid", "client_reference_id": bia.user_id,
        "customer": "cus_facets_b", "subscription": "sub_facets_b", "metadata": {"user_id": bia.user_id, "plan": "PRO"}});
    stripe_event(&app, "evt_facets_b1", "checkout.session.completed", completed, 0).await;
    assert_eq!(listed(&app, &op, "plan=PRO&subscription_status=active").await, ["bia"]);
    app.post("/api/subscriptions/cancel", Some(&bia.access), &json!({})).await.ok(200);
    assert_eq!(listed(&app, &op, "plan=PRO").await, ["bia"], "PRO until the period ends");
    fake.set_status("sub_facets_b", "canceled");
    let ended = fake.subscription("sub_facets_b");
    stripe_event(&app, "evt_facets_b2", "customer.subscription.deleted", ended, 1).await;
    assert_eq!(listed(&app, &op, "plan=PRO").await, Vec::<String>::new());
    assert_eq!(listed(&app, &op, "plan=FREE").await, ["ana", "bia"]);

    // Ana's paper context and bot: started, stopped, deleted; then the context is deleted.
    assert_eq!(listed(&app, &op, "mode=paper").await, Vec::<String>::new());
    let bot = running_smart_bots(&app, &ana, 1).await.remove(0);
    assert_eq!(listed(&app, &op, "mode=paper&has_running_bots=true").await, ["ana"]);
    assert_eq!(listed(&app, &op, "has_running_bots=false").await, ["bia"]);
    command(&app, &ana, &bot, "stop").await;
    assert_eq!(listed(&app, &op, "has_running_bots=true").await, Vec::<String>::new());
    app.delete(&format!("/api/bots/{bot}"), Some(&ana.access), None).await.ok(204);
    let contexts = app.get("/api/contexts", Some(&ana.access)).await.ok(200).clone();
    let context = contexts["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed(&app, &op, "mode=paper").await, ["ana"]);
    app.delete(&format!("/api/contexts/{context}"), Some(&ana.access), None).await.ok(204);
    assert_eq!(listed(&app, &op, "mode=paper").await, Vec::<String>::new());
    assert_eq!(listed(&app, &op, "has_running_bots=false&plan=FREE").await, ["ana", "bia"]);
}

/// Twelve users seeded through the repositories: user `i` (`u<i>`, created at minute `i`, its
/// e-mail sorting in the reverse order) is on PRO when `i % 3 == 1`, MAX when `i % 3 == 2`, has
/// no subscription (FREE) otherwise; a live context when `i` is even, a paper one when odd; a
/// running bot when `i % 4 == 0`.
async fn seed_twelve(repos: &Repositories) -> Vec<(usize, String)> {
    let symbol = Symbol::parse("BTC-BRL").unwrap();
    let mut seeded = Vec::new();
    for i in 0..12usize {
        let local = format!("u{}", 99 - i);
        let created = repos.users.create(&user_fixture(&format!("{local}@example.com"), i as i64)).await.unwrap();
        match i % 3 {
            1 => drop(repos.subscriptions.create(&subscription(created.id, Plan::Pro, 0)).await.unwrap()),
            2 => drop(repos.subscriptions.create(&subscription(created.id, Plan::Max, 0)).await.unwrap()),
            _ => {}
        }
        let mode = if i % 2 == 0 { ContextMode::Live } else { ContextMode::Paper };
        let at = OffsetDateTime::UNIX_EPOCH;
        repos.contexts.create(&TradingContext::new(created.id, ExchangeId::Binance, &symbol, mode, at)).await.unwrap();
        if i % 4 == 0 {
            repos.bots.create(&busy_bot(created.id)).await.unwrap();
        }
        seeded.push((i, local));
    }
    seeded
}

async fn pages_of_every_sort_across_combined_filters(store: Store) {
    let (app, repos) = bot_app(store, &extra()).await;
    let op = admin(&app, &repos).await;
    let seeded = seed_twelve(&repos).await;
    type Pick = fn(usize) -> bool;
    let cases: [(&str, Pick); 4] = [
        ("plan=PRO", |i| i % 3 == 1),
        ("plan=FREE&mode=live", |i| i % 3 == 0 && i % 2 == 0),
        ("has_running_bots=false&mode=live", |i| i % 4 != 0 && i % 2 == 0),
        ("subscription_status=active&has_running_bots=true", |i| i % 3 != 0 && i % 4 == 0),
    ];
    for (filter, pick) in cases {
        let picked: Vec<&(usize, String)> = seeded.iter().filter(|(i, _)| pick(*i)).collect();
        let oldest: Vec<String> = picked.iter().map(|(_, e)| e.clone()).collect();
        let newest: Vec<String> = oldest.iter().rev().cloned().collect();
        let mut by_email = oldest.clone();
        by_email.sort();
        for (sort, expected) in [("created_asc", &oldest), ("created_desc", &newest), ("email_asc", &by_email)] {
            let mut got = Vec::new();
            let mut offset = 0;
            loop {
                let path = format!("/backoffice/api/users?{filter}&sort={sort}&limit=2&offset={offset}");
                let body = op.get(&app, &path).await.ok(200).clone();
                assert_eq!(body["total"].as_u64(), Some(expected.len() as u64), "{path}");
                let items = body["items"].as_array().unwrap();
                got.extend(items.iter().map(|u| u["email"].as_str().unwrap().split('@').next().unwrap().to_owned()));
                offset += 2;
                if items.len() < 2 || offset >= expected.len() {
                    break;
                }
            }
            assert_eq!(&got, expected, "{filter}, {sort}");
        }
    }
}

/// How many FREE users the scale test seeds: past 10,000 on the embedded store; fewer on MongoDB,
/// where the test server (nx-27017) writes a few thousand documents a second, so that the test
/// stays within seconds (the same query and indexes serve both).
fn scale(store: Store) -> usize {
    match store {
        Store::Embedded => 10_050,
        Store::Mongo => 2_500,
    }
}

async fn plan_free_is_listed_past_ten_thousand_users(store: Store) {
    let (app, repos) = bot_app(store, &extra()).await;
    let op = admin(&app, &repos).await;
    let n = scale(store);
    let started = Instant::now();
    let created: Vec<_> = futures::stream::iter(0..n)
        .map(|i| {
            let repos = repos.clone();
            async move { repos.users.create(&user_fixture(&format!("s{i:05}@example.com"), i as i64)).await.unwrap() }
        })
        .buffered(16)
        .collect()
        .await;
    assert_eq!(created.len(), n);
    // One of them on PRO: out of the FREE list.
    repos.subscriptions.create(&subscription(created[0].id, Plan::Pro, 0)).await.unwrap();
    let seeding = started.elapsed();

    let started = Instant::now();
    let tail =
        op.get(&app, &format!("/backoffice/api/users?plan=FREE&sort=created_desc&offset={}&limit=50", n - 51)).await;
    let tail = tail.ok(200).clone();
    let listing = started.elapsed();
    assert_eq!(tail["total"].as_u64(), Some(n as u64 - 1), "every FREE user counts");
    let emails: Vec<&str> = tail["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails.len(), 50);
    assert_eq!((emails[0], emails[49]), ("s00050@example.com", "s00001@example.com"), "the oldest, newest first");
    let by_email = op.get(&app, "/backoffice/api/users?plan=FREE&sort=email_asc&email_prefix=s0000&limit=200").await;
    let by_email = by_email.ok(200).clone();
    assert_eq!(by_email["total"].as_u64(), Some(9), "s00001 to s00009: s00000 is on PRO");
    eprintln!("{store:?}: {n} users seeded in {seeding:?}; the last page of plan=FREE in {listing:?}");
}
