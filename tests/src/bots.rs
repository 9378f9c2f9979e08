//! Helpers of the bot and engine scenarios: a server whose workflows run only on request, a
//! user on a given plan with a paper context, price control and workflow runs.

use domain::subscriptions::{Plan, SubscriptionStatus};
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::app::{settings, spawn_with_repositories, Session, Store, TestApp};

/// The ops token of these servers.
pub const OPS_TOKEN: &str = "ops-token-for-bot-tests-0123456789";

/// A server whose workflows never run by themselves (intervals scaled far out): scenarios run
/// them on request, one cycle at a time, so every step is deterministic.
pub async fn bot_app(store: Store, extra: &[(&str, &str)]) -> (TestApp, Repositories) {
    let mut pairs = vec![("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000"), ("BOTFLEET_OPS_TOKEN", OPS_TOKEN)];
    pairs.extend_from_slice(extra);
    spawn_with_repositories(settings(store, &pairs)).await
}

/// Puts `user` on `plan` (what a paid checkout would do), directly in the store.
pub async fn set_plan(repos: &Repositories, user: &Session, plan: Plan) {
    let id = user.user_id.parse().expect("a user id");
    let mut sub = repos.subscriptions.get_for_user(id).await.expect("every user has a subscription");
    sub.plan = plan;
    sub.status = SubscriptionStatus::Active;
    repos.subscriptions.update(&sub).await.expect("the plan changes");
}

/// A user on `plan` with a paper BTC-BRL context on Mercado Bitcoin; returns the context id.
pub async fn trader(app: &TestApp, repos: &Repositories, email: &str, plan: Plan) -> (Session, String) {
    let user = app.user(email).await;
    set_plan(repos, &user, plan).await;
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let context = app.post("/api/contexts", Some(&user.access), &body).await;
    let id = context.ok(201)["id"].as_str().unwrap().to_owned();
    (user, id)
}

/// Sets the paper BTC-BRL price on Mercado Bitcoin.
pub async fn price(app: &TestApp, token: &str, price: Decimal) {
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "price": price.to_string()});
    app.post("/api/paper/prices", Some(token), &body).await.ok(200);
}

/// Runs workflow `name` once, now; panics unless it ran and succeeded. Returns its summary.
pub async fn run(app: &TestApp, name: &str) -> Value {
    let answer = app.post(&format!("/api/system/workflows/{name}/run"), Some(OPS_TOKEN), &json!({})).await;
    let body = answer.ok(200);
    assert_eq!(body["outcome"], "ok", "{name} failed: {body}");
    serde_json::from_str(body["summary"].as_str().unwrap()).unwrap_or(Value::Null)
}

/// Creates a bot and returns its body.
pub async fn create_bot(app: &TestApp, user: &Session, context: &str, kind: &str, config: Value) -> Value {
    let body = json!({"context_id": context, "kind": kind, "name": format!("{kind} bot"), "config": config});
    app.post("/api/bots", Some(&user.access), &body).await.ok(201).clone()
}

/// Sends a life-cycle command and returns the bot.
pub async fn command(app: &TestApp, user: &Session, bot: &str, command: &str) -> Value {
    app.post(&format!("/api/bots/{bot}/{command}"), Some(&user.access), &json!({})).await.ok(200).clone()
}

/// `n` smart bots, oldest first, created and started in a new paper BTC-BRL context of `user`;
/// answers their ids.
pub async fn running_smart_bots(app: &TestApp, user: &Session, n: usize) -> Vec<String> {
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let ctx = app.post("/api/contexts", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1});
    let mut bots = Vec::new();
    for _ in 0..n {
        let made = create_bot(app, user, &ctx, "smart", config.clone()).await;
        bots.push(command(app, user, made["id"].as_str().unwrap(), "start").await["id"].as_str().unwrap().to_owned());
    }
    bots
}

/// A bot as its owner reads it.
pub async fn bot(app: &TestApp, user: &Session, bot: &str) -> Value {
    app.get(&format!("/api/bots/{bot}"), Some(&user.access)).await.ok(200).clone()
}

/// A decimal field of a JSON body.
pub fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("a decimal string, got {v}")).parse().unwrap()
}

/// Checks the books of a bot body: `allocated + realized == available + blocked + invested`.
pub fn assert_books_balance(bot: &Value) {
    let f = &bot["funds"];
    assert_eq!(
        dec(&f["allocated"]) + dec(&f["realized_profit"]),
        dec(&f["available"]) + dec(&f["blocked"]) + dec(&f["invested"]),
        "books out of balance: {f}"
    );
}
