//! The dashboard's per-user caches (summary 60 s) hold a change at once whatever stored it, on
//! both stores through the real server: a withdrawal found by `sync_withdrawals`, a downgrade's
//! limit enforcer (a Stripe webhook against the local fake), a context deleted, an operator
//! blocking the user, a fill by the engine on the paper exchange. Each scenario first shows that
//! the figures are served from the cache (same `as_of`), then that the next read after the change
//! is computed again and shows it; the health view (never cached) agrees. None of these paths tells
//! the caches itself: the user's data version, moved by every write to their bots, orders,
//! contexts and closed positions, does (`domain::shared::data_version`).

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::backoffice::{backoffice_app, create_operator, enrol_and_login, DOMAIN};
use botfleet_tests::bots::{bot_app, command, create_bot, dec, price, run, trader};
use botfleet_tests::dashboard::group;
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use domain::backoffice::OperatorRole;
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    a_withdrawal_that_pauses_a_bot_shows_at_once,
    a_downgrade_that_pauses_bots_shows_at_once,
    a_deleted_context_leaves_at_once,
    an_operator_block_shows_at_once,
    a_fill_by_the_engine_shows_at_once,
);

fn smart(allocated: &str) -> Value {
    json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": allocated, "max_open_positions": 1})
}

/// The summary, read twice: the second from the cache (same `as_of`), as the test needs it.
async fn cached(app: &TestApp, token: &str) -> Value {
    let first = app.get("/api/dashboard/summary", Some(token)).await.ok(200).clone();
    let again = app.get("/api/dashboard/summary", Some(token)).await.ok(200).clone();
    assert_eq!(again["as_of"], first["as_of"], "served from the cache");
    first
}

/// The summary read after a change to what `before` showed: computed again, not the cached one.
async fn after(app: &TestApp, token: &str, before: &Value) -> Value {
    let now = app.get("/api/dashboard/summary", Some(token)).await.ok(200).clone();
    assert_ne!(now["as_of"], before["as_of"], "the change dropped the cached figures");
    now
}

/// The paper BRL figure `field`.
fn figure(s: &Value, field: &str) -> Value {
    group(s, "paper", "BRL")["summary"][field].clone()
}

/// The statuses of the bots in the health view (never cached).
async fn health_statuses(app: &TestApp, token: &str) -> Vec<String> {
    let health = app.get("/api/dashboard/health", Some(token)).await.ok(200).clone();
    health["bots"].as_array().unwrap().iter().map(|b| b["status"].as_str().unwrap().to_owned()).collect()
}

async fn started(app: &TestApp, user: &Session, ctx: &str, allocated: &str) -> String {
    let id = create_bot(app, user, ctx, "smart", smart(allocated)).await["id"].as_str().unwrap().to_owned();
    assert_eq!(command(app, user, &id, "start").await["status"], "running");
    id
}

async fn a_withdrawal_that_pauses_a_bot_shows_at_once(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    started(&app, &ana, &ctx, "40000").await;
    let before = cached(&app, &ana.access).await;
    assert_eq!(figure(&before, "active_bots"), 1);

    // The paper account starts with 100000 BRL: 70000 withdrawn leaves less than the bot needs.
    let body = json!({"exchange": "mercado_bitcoin", "asset": "BRL", "amount": "70000"});
    app.post("/api/paper/withdrawals", Some(&ana.access), &body).await.ok(200);
    assert_eq!(run(&app, "sync_withdrawals").await["paused"], 1);

    let now = after(&app, &ana.access, &before).await;
    assert_eq!((figure(&now, "active_bots"), figure(&now, "bots")), (json!(0), json!(1)));
    assert_eq!(health_statuses(&app, &ana.access).await, ["paused"]);
}

fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value, later: i64) {
    let (body, signature) = signed_event(id, kind, object, unix_now() + later, stripe::WEBHOOK_SECRET, unix_now());
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    assert_eq!(answer.ok(200)["outcome"], "applied", "{}", answer.text);
}

async fn a_downgrade_that_pauses_bots_shows_at_once(store: Store) {
    let fake = FakeStripe::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, _repos) = bot_app(store, &pairs).await;
    let user = app.user("fresh-downgrade@example.com").await;
    fake.subscribe("sub_fresh", &user.user_id, "PRO", unix_now() + 30 * 86_400);
    let checkout = json!({"id": "cs_sub_fresh", "object": "checkout.session", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": "sub_fresh", "metadata": {"user_id": user.user_id, "plan": "PRO"}});
    stripe_event(&app, "evt_fresh_checkout", "checkout.session.completed", checkout, 0).await;
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let ctx = app.post("/api/contexts", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        started(&app, &user, &ctx, "1000").await;
    }
    let before = cached(&app, &user.access).await;
    assert_eq!(figure(&before, "active_bots"), 3);

    // Cancelled at Stripe: FREE keeps its 2 bots running and pauses the newest.
    fake.set_status("sub_fresh", "canceled");
    stripe_event(&app, "evt_fresh_deleted", "customer.subscription.deleted", fake.subscription("sub_fresh"), 1).await;

    let now = after(&app, &user.access, &before).await;
    assert_eq!((figure(&now, "active_bots"), figure(&now, "bots")), (json!(2), json!(3)));
    assert_eq!(health_statuses(&app, &user.access).await, ["running", "running", "paused"]);
}

async fn a_deleted_context_leaves_at_once(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let body = json!({"exchange": "binance", "symbol": "BTC-USDT", "mode": "paper"});
    let usdt = app.post("/api/contexts", Some(&ana.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let before = cached(&app, &ana.access).await;
    let ids = |s: &Value| -> Vec<String> {
        s["contexts"].as_array().unwrap().iter().map(|c| c["context_id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&before), [ctx.clone(), usdt.clone()], "{before}");

    app.delete(&format!("/api/contexts/{usdt}"), Some(&ana.access), None).await.ok(204);

    let now = after(&app, &ana.access, &before).await;
    assert_eq!(ids(&now), [ctx]);
    assert!(now["currencies"].as_array().unwrap().iter().all(|c| c["quote_currency"] != "USDT"), "{now}");
}

async fn an_operator_block_shows_at_once(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let email = format!("ada@{DOMAIN}");
    create_operator(&repos, &email, OperatorRole::Admin).await;
    let admin = enrol_and_login(&app, &email, "10.0.9.1").await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    started(&app, &ana, &ctx, "1000").await;
    let before = cached(&app, &ana.access).await;
    assert_eq!(figure(&before, "active_bots"), 1);

    admin.post(&app, &format!("/backoffice/api/users/{}/block", ana.user_id)).await.ok(200);
    admin.post(&app, &format!("/backoffice/api/users/{}/unblock", ana.user_id)).await.ok(200);
    // Blocking ended the sessions: a new one, within the cached figures' 60 s.
    let login = json!({"email": ana.email, "password": ana.password});
    let token = app.post("/api/auth/login", None, &login).await.ok(200)["access_token"].as_str().unwrap().to_owned();

    let now = after(&app, &token, &before).await;
    assert_eq!(figure(&now, "active_bots"), 0, "the block paused the bot");
    assert_eq!(health_statuses(&app, &token).await, ["paused"]);
}

async fn a_fill_by_the_engine_shows_at_once(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    price(&app, &ana.access, dec!(100000)).await;
    started(&app, &ana, &ctx, "1000").await;
    let before = cached(&app, &ana.access).await;
    assert_eq!(dec(&figure(&before, "total_in_positions")), Decimal::ZERO);

    // The SmartBot's cycle buys at market on the paper exchange: the engine places and books it.
    let cycle = run(&app, "smart_bot_purchase").await;
    assert_eq!(cycle["orders"], 1, "{cycle}");

    let now = after(&app, &ana.access, &before).await;
    assert!(dec(&figure(&now, "total_in_positions")) > Decimal::ZERO, "{now}");
}
