//! Plans hold after a downgrade, everywhere, through the running server on both stores against
//! a local fake of Stripe: PRO -> FREE pauses the bots beyond FREE's limit (the newest), `resume`
//! is refused with 402 and the plan code, the engine places no entry for them even when their
//! stored status is edited back to running, and once upgraded again they resume. MAX -> PRO
//! pauses the candle bots that use advanced indicators and keeps the others running.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::bots::{bot, bot_app, command, create_bot, run};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use domain::bots::BotStatus;
use domain::orders::OrderFilter;
use domain::shared::ids::BotId;
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    pro_to_free_pauses_the_bots_beyond_the_limit_everywhere,
    max_to_pro_pauses_advanced_candle_bots
);

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn server(store: Store) -> (TestApp, Repositories, FakeStripe) {
    let fake = FakeStripe::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = bot_app(store, &pairs).await;
    (app, repos, fake)
}

/// Sends a signed Stripe event created `later` seconds from now.
async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value, later: i64) {
    let (body, signature) = signed_event(id, kind, object, now() + later, stripe::WEBHOOK_SECRET, now());
    let answer = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    assert_eq!(answer.ok(200)["outcome"], "applied", "{}", answer.text);
}

/// `user` pays for `plan` at Stripe (subscription `sub`), confirmed by the checkout webhook.
async fn subscribe(app: &TestApp, fake: &FakeStripe, user: &Session, sub: &str, plan: &str, later: i64) {
    fake.subscribe(sub, &user.user_id, plan, now() + 30 * 86_400);
    let checkout = json!({"id": format!("cs_{sub}"), "object": "checkout.session", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": sub, "metadata": {"user_id": user.user_id, "plan": plan}});
    stripe_event(app, &format!("evt_{sub}_checkout"), "checkout.session.completed", checkout, later).await;
    let me = app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!(me["plan"], plan, "{me}");
}

async fn context(app: &TestApp, user: &Session, exchange: &str, symbol: &str) -> String {
    let body = json!({"exchange": exchange, "symbol": symbol, "mode": "paper"});
    app.post("/api/contexts", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned()
}

fn smart() -> Value {
    json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1})
}

/// Orders placed for `bot`.
async fn orders_of(repos: &Repositories, user: &Session, bot: &str) -> u64 {
    let filter = OrderFilter { bot: BotId::parse(bot), ..OrderFilter::default() };
    let owner = user.user_id.parse().unwrap();
    repos.orders.list(owner, &filter, PageRequest::first()).await.unwrap().total
}

async fn pro_to_free_pauses_the_bots_beyond_the_limit_everywhere(store: Store) {
    let (app, repos, fake) = server(store).await;
    let user = app.user("downgrade-a@example.com").await;
    subscribe(&app, &fake, &user, "sub_dg_1", "PRO", 0).await;
    let ctx = context(&app, &user, "mercado_bitcoin", "BTC-BRL").await;
    let mut bots = Vec::new();
    for _ in 0..5 {
        let id = create_bot(&app, &user, &ctx, "smart", smart()).await["id"].as_str().unwrap().to_owned();
        command(&app, &user, &id, "start").await;
        bots.push(id);
    }

    fake.set_status("sub_dg_1", "canceled");
    stripe_event(&app, "evt_dg_1_deleted", "customer.subscription.deleted", fake.subscription("sub_dg_1"), 1).await;

    for (i, id) in bots.iter().enumerate() {
        let b = bot(&app, &user, id).await;
        let expected = if i < 2 { "running" } else { "paused" };
        assert_eq!(b["status"], expected, "FREE keeps the two oldest bots: {b}");
        if i >= 2 {
            let reason = b["status_reason"].as_str().unwrap();
            assert!(reason.contains("plan allows 2 bots") && reason.contains("FREE"), "{reason}");
        }
    }
    let refused = app.post(&format!("/api/bots/{}/resume", bots[4]), Some(&user.access), &json!({})).await;
    assert_eq!(refused.problem(402, "plan_limit_bots")["upgrade_to"], "PRO");
    let refused = app.post(&format!("/api/bots/{}/resume", bots[2]), Some(&user.access), &json!({})).await;
    refused.problem(402, "plan_limit_bots");

    // Someone edits the stored status back to running: the engine still opens nothing for it.
    let edited = BotId::parse(&bots[4]).unwrap();
    let mut stored = repos.bots.find(edited).await.unwrap();
    stored.halt(BotStatus::Running, "edited by hand", OffsetDateTime::now_utc());
    repos.bots.update(&stored).await.unwrap();
    let cycle = run(&app, "smart_bot_purchase").await;

    assert_eq!(cycle["refused"], 1, "{cycle}");
    assert_eq!((orders_of(&repos, &user, &bots[0]).await, orders_of(&repos, &user, &bots[1]).await), (1, 1));
    assert_eq!(orders_of(&repos, &user, &bots[4]).await, 0, "no entry for a bot the plan does not allow");
    let again = bot(&app, &user, &bots[4]).await;
    assert_eq!(again["status"], "paused");
    assert!(again["status_reason"].as_str().unwrap().starts_with("paused by the engine"), "{again}");

    subscribe(&app, &fake, &user, "sub_dg_2", "PRO", 2).await;
    for id in &bots[2..] {
        assert_eq!(command(&app, &user, id, "resume").await["status"], "running");
    }
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"botfleet_bot_faults_total{workflow="smart_bot_purchase"} 0"#), "{metrics}");
    assert!(metrics.contains("botfleet_unreadable_bot_documents_total"), "{metrics}");
}

async fn max_to_pro_pauses_advanced_candle_bots(store: Store) {
    let (app, _repos, fake) = server(store).await;
    let user = app.user("downgrade-b@example.com").await;
    subscribe(&app, &fake, &user, "sub_dg_max", "MAX", 0).await;
    let ctx = context(&app, &user, "binance", "BTC-USDT").await;
    let candle = |indicator: &str| {
        json!({"timeframe": "1h", "indicators": [{"indicator": indicator}], "order_amount": "100",
            "allocated_balance": "1000"})
    };
    let advanced = create_bot(&app, &user, &ctx, "candle", candle("vwap")).await["id"].as_str().unwrap().to_owned();
    let plain = create_bot(&app, &user, &ctx, "candle", candle("rsi")).await["id"].as_str().unwrap().to_owned();
    for id in [&advanced, &plain] {
        command(&app, &user, id, "start").await;
    }

    fake.subscribe("sub_dg_max", &user.user_id, "PRO", now() + 30 * 86_400);
    stripe_event(&app, "evt_dg_max_pro", "customer.subscription.updated", fake.subscription("sub_dg_max"), 1).await;

    let paused = bot(&app, &user, &advanced).await;
    assert_eq!(paused["status"], "paused", "{paused}");
    assert!(paused["status_reason"].as_str().unwrap().contains("advanced indicators"), "{paused}");
    assert_eq!(bot(&app, &user, &plain).await["status"], "running");
    let refused = app.post(&format!("/api/bots/{advanced}/resume"), Some(&user.access), &json!({})).await;
    assert_eq!(refused.problem(402, "plan_advanced_indicators")["upgrade_to"], "MAX");
}
