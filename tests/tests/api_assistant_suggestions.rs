//! MAX's proactive suggestions through the running server on both stores: the
//! `assistant_suggestions` workflow leaves a MAX user whose bot has run for days with idle funds
//! one message in their suggestions conversation, once a day, uncounted, in the language of their
//! profile (Portuguese by default); other plans get none.

use std::sync::Arc;

use botfleet_tests::app::{settings, spawn_with_clock, Session, Store, TestApp};
use botfleet_tests::assistant::{ask, said};
use botfleet_tests::bots::{bot_app, command, create_bot, price, run, trader, OPS_TOKEN};
use domain::bots::{BotStatus, StatusChange};
use domain::shared::clock::FixedClock;
use domain::shared::ids::{BotId, UserId};
use domain::subscriptions::Plan;
use infrastructure::repositories::Repositories;
use serde_json::json;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    max_users_get_a_daily_suggestion_about_idle_funds,
    a_suggestion_a_day_is_one_per_local_day,
    a_bot_tripping_often_and_a_take_profit_never_reached_are_suggested
);

/// A running manual SmartBot of `user` that started four days ago (its start moved back in the
/// store: the API cannot date a start) and has bought nothing since.
async fn idle_bot(app: &TestApp, repos: &Repositories, user: &Session, context: &str) {
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let id = create_bot(app, user, context, "smart", config).await["id"].as_str().unwrap().to_owned();
    command(app, user, &id, "start").await;
    let owner: UserId = user.user_id.parse().unwrap();
    let mut bot = repos.bots.get(owner, BotId::parse(&id).unwrap()).await.unwrap();
    let start = bot.history.last_mut().unwrap();
    assert_eq!(start.to, BotStatus::Running);
    start.at = OffsetDateTime::now_utc() - Duration::days(4);
    repos.bots.update(&bot).await.unwrap();
}

async fn max_users_get_a_daily_suggestion_about_idle_funds(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (max, max_ctx) = trader(&app, &repos, "max@example.com", Plan::Max).await;
    let (pro, pro_ctx) = trader(&app, &repos, "pro@example.com", Plan::Pro).await;
    let (eve, eve_ctx) = trader(&app, &repos, "eve@example.com", Plan::Max).await;
    app.put("/api/auth/me", Some(&eve.access), &json!({"language": "en"})).await.ok(200);
    idle_bot(&app, &repos, &max, &max_ctx).await;
    idle_bot(&app, &repos, &pro, &pro_ctx).await;
    idle_bot(&app, &repos, &eve, &eve_ctx).await;

    let summary = run(&app, "assistant_suggestions").await;
    assert_eq!((summary["users"].as_u64(), summary["suggested"].as_u64()), (Some(2), Some(2)), "{summary}");
    // In Portuguese for a profile left at pt-BR.
    let list = app.get("/api/assistant/conversations", Some(&max.access)).await.ok(200).clone();
    assert_eq!((list["total"].as_u64(), list["items"][0]["title"].as_str()), (Some(1), Some("Sugestões")));
    let id = list["items"][0]["id"].as_str().unwrap();
    let history = app.get(&format!("/api/assistant/conversations/{id}"), Some(&max.access)).await.ok(200).clone();
    let message = &history["items"][0];
    assert_eq!((message["author"].as_str(), message["answered_by"].as_str()), (Some("assistant"), Some("suggestions")));
    let text = message["text"].as_str().unwrap();
    assert!(text.starts_with("Vale uma olhada hoje:"), "{text}");
    assert!(text.contains("\"smart bot\" está rodando há 4 dias sem investir nada dos seus 1000 BRL"), "{text}");
    // In English for a profile in `en`.
    let list = app.get("/api/assistant/conversations", Some(&eve.access)).await.ok(200).clone();
    assert_eq!(list["items"][0]["title"], "Suggestions");
    let path = format!("/api/assistant/conversations/{}", list["items"][0]["id"].as_str().unwrap());
    let text = app.get(&path, Some(&eve.access)).await.ok(200)["items"][0]["text"].as_str().unwrap().to_owned();
    assert!(text.contains("\"smart bot\" has been running for 4 days without investing any of its 1000 BRL"), "{text}");
    assert_eq!(app.get("/api/assistant/conversations", Some(&pro.access)).await.ok(200)["total"], 0, "MAX only");

    // Once a day, and never counted against a quota.
    let again = run(&app, "assistant_suggestions").await;
    assert_eq!(again["suggested"], 0, "{again}");
    assert_eq!(app.get(&format!("/api/assistant/conversations/{id}"), Some(&max.access)).await.ok(200)["total"], 1);
    let usage =
        app.get("/api/subscriptions/me", Some(&max.access)).await.ok(200)["usage"]["chat_messages_today"].clone();
    assert_eq!(usage, json!({"used": 0, "limit": null}));
}

async fn a_suggestion_a_day_is_one_per_local_day(store: Store) {
    // 23:50 on the 5th in São Paulo (the default zone), then 00:10 on the 6th: two local days
    // 20 minutes apart, so two suggestions; a third run the same local day leaves none.
    let clock = Arc::new(FixedClock::new(datetime!(2026-12-06 02:50 UTC)));
    let pairs = [("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000"), ("BOTFLEET_OPS_TOKEN", OPS_TOKEN)];
    let (app, repos) = spawn_with_clock(settings(store, &pairs), clock.clone()).await;
    let (max, ctx) = trader(&app, &repos, "max@example.com", Plan::Max).await;
    idle_bot(&app, &repos, &max, &ctx).await;
    assert_eq!(run(&app, "assistant_suggestions").await["suggested"], 1);
    clock.advance(Duration::minutes(20));
    // On the new local day the user answers in the suggestions conversation before the workflow
    // runs: that is not a suggestion, and today's is still left.
    let (access, refresh) = app.login(&max.email, &max.password).await;
    let max = Session { access, refresh, ..max };
    let list = app.get("/api/assistant/conversations", Some(&max.access)).await.ok(200).clone();
    let suggestions = list["items"][0]["id"].as_str().unwrap().to_owned();
    assert!(said(&ask(&app, &max, &suggestions, "Liste meus bots").await).starts_with("Seus bots: 1"));
    assert_eq!(run(&app, "assistant_suggestions").await["suggested"], 1, "a new local day");
    clock.advance(Duration::hours(5));
    assert_eq!(run(&app, "assistant_suggestions").await["suggested"], 0, "the same local day");
    let owner: UserId = max.user_id.parse().unwrap();
    let page = domain::PageRequest::new(0, 10);
    let messages = repos.conversations.all_messages(owner, page).await.unwrap();
    let by: Vec<Option<&str>> = messages.items.iter().map(|m| m.answered_by.as_deref()).collect();
    assert_eq!(by.iter().filter(|b| **b == Some("suggestions")).count(), 2, "{by:?}");
    assert_eq!(messages.total, 4, "two suggestions, a question and its answer");
}

async fn a_bot_tripping_often_and_a_take_profit_never_reached_are_suggested(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (max, ctx) = trader(&app, &repos, "max@example.com", Plan::Max).await;
    let owner: UserId = max.user_id.parse().unwrap();
    let now = OffsetDateTime::now_utc();

    // "Holder" bought 8 days ago (its position moved back in the store) and its 5% take profit
    // was never reached.
    price(&app, &max.access, rust_decimal_macros::dec!(100000)).await;
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000",
        "risk": {"take_profit_percent": "5"}});
    let body = json!({"context_id": ctx, "kind": "smart", "name": "Holder", "config": config});
    let holder = app.post("/api/bots", Some(&max.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    command(&app, &max, &holder, "start").await;
    let buy = json!({"type": "market", "quote_amount": "100"});
    app.post(&format!("/api/bots/{holder}/buy"), Some(&max.access), &buy).await.ok(201);
    let mut bot = repos.bots.get(owner, BotId::parse(&holder).unwrap()).await.unwrap();
    assert_eq!(bot.positions.len(), 1);
    bot.positions[0].opened_at = now - Duration::days(8);
    repos.bots.update(&bot).await.unwrap();

    // "Tripper" tripped its circuit breaker twice in the last 3 days (as the engine records it)
    // and runs again.
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let body = json!({"context_id": ctx, "kind": "smart", "name": "Tripper", "config": config});
    let tripper = app.post("/api/bots", Some(&max.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    command(&app, &max, &tripper, "start").await;
    let mut bot = repos.bots.get(owner, BotId::parse(&tripper).unwrap()).await.unwrap();
    for (from, to, hours_ago) in [
        (BotStatus::Running, BotStatus::Tripped, 72),
        (BotStatus::Tripped, BotStatus::Running, 70),
        (BotStatus::Running, BotStatus::Tripped, 30),
        (BotStatus::Tripped, BotStatus::Running, 20),
    ] {
        let reason = if to == BotStatus::Tripped {
            "circuit breaker: 3 losing trades in a row"
        } else {
            "circuit breaker reset"
        };
        bot.history.push(StatusChange { from, to, reason: reason.into(), at: now - Duration::hours(hours_ago) });
    }
    repos.bots.update(&bot).await.unwrap();

    assert_eq!(run(&app, "assistant_suggestions").await["suggested"], 1);
    let list = app.get("/api/assistant/conversations", Some(&max.access)).await.ok(200).clone();
    let path = format!("/api/assistant/conversations/{}", list["items"][0]["id"].as_str().unwrap());
    let text = app.get(&path, Some(&max.access)).await.ok(200)["items"][0]["text"].as_str().unwrap().to_owned();
    assert!(text.starts_with("Vale uma olhada hoje:"), "{text}");
    assert!(
        text.contains("\"Holder\" tem uma posição aberta há 8 dias que nunca chegou ao take profit de 5%"),
        "{text}"
    );
    assert!(text.contains("\"Tripper\" disparou o circuit breaker 2 vezes em 7 dias"), "{text}");
    assert_eq!(text.lines().count(), 3, "one line each, nothing about idle funds: {text}");
}
