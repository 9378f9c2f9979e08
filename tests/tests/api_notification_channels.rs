//! E-mail and Telegram notifications through the real server on both stores: events queued in
//! the log (relayed by `relay_events`) reach a real SMTP server as ONE batched message per user
//! in the user's language, and a Telegram chat linked with the one-time code receives them from
//! the fake Bot API, with 429s honoured and a 403 unlinking the chat; preferences off send
//! nothing.

use std::time::Duration;

use botfleet_tests::app::{settings, spawn_with_repositories, Store, TestApp};
use botfleet_tests::fakes::telegram::{FakeTelegram, USERNAME};
use botfleet_tests::smtp::SmtpSink;
use domain::bots::BotStatus;
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::notifications::{
    BotRef, BotStatusData, Channel, ChannelSet, Delivery, Event, EventPayload, EventType, NotificationPreferences,
    OrderData, PaymentData,
};
use domain::shared::ids::{BotId, ContextId, OrderId, UserId};
use infrastructure::repositories::Repositories;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    a_burst_is_one_email_per_user_in_their_language,
    a_linked_telegram_chat_receives_events_and_429_and_403_are_handled,
    telegram_off_is_503,
    account_deletion_erases_the_link_and_the_deliveries
);

fn filled(user: UserId) -> Event {
    let data = OrderData {
        order_id: OrderId::new(),
        bot_id: None,
        context_id: ContextId::new(),
        exchange: ExchangeId::Binance,
        symbol: "BTC-USDT".parse().unwrap(),
        side: "buy".into(),
        status: "filled".into(),
        filled_quantity: dec!(0.01),
        filled_quote: dec!(500),
        average_price: Some(dec!(50000)),
        error: None,
    };
    Event::new(user, EventPayload::OrderFilled(data), OffsetDateTime::now_utc())
}

fn paid(user: UserId) -> Event {
    let data = PaymentData {
        provider: "stripe".into(),
        plan: "pro".into(),
        amount: Some(dec!(49.90)),
        currency: Some("BRL".into()),
        reason: None,
    };
    Event::new(user, EventPayload::PaymentSucceeded(data), OffsetDateTime::now_utc())
}

fn paused(user: UserId, name: &str) -> Event {
    let bot = BotRef {
        bot_id: BotId::new(),
        bot_name: name.into(),
        context_id: ContextId::new(),
        exchange: ExchangeId::Binance,
        symbol: "BTC-USDT".parse().unwrap(),
        mode: ContextMode::Paper,
    };
    let data = BotStatusData { bot, from: BotStatus::Running, to: BotStatus::Paused, reason: "a < b & c".into() };
    Event::new(user, EventPayload::BotPaused(data), OffsetDateTime::now_utc())
}

/// Puts `event_type` on `channels` for `user`.
async fn choose(repos: &Repositories, user: UserId, choices: &[(EventType, &[Channel])]) {
    let mut prefs = NotificationPreferences::defaults(user);
    for (t, channels) in choices {
        prefs.choose(*t, ChannelSet::of(channels), OffsetDateTime::now_utc());
    }
    repos.preferences.put(&prefs).await.unwrap();
}

/// Registers `email` (in `language`) and returns its id and access token.
async fn user(app: &TestApp, email: &str, language: &str) -> (UserId, String) {
    let session = app.user(email).await;
    app.put("/api/auth/me", Some(&session.access), &json!({"language": language})).await.ok(200);
    (UserId::parse(&session.user_id).unwrap(), session.access)
}

fn notifications(sink: &SmtpSink, to: &str) -> Vec<Value> {
    sink.messages_to(to).into_iter().filter(|m| m["subject"].as_str().unwrap_or("").starts_with("botfleet:")).collect()
}

async fn a_burst_is_one_email_per_user_in_their_language(store: Store) {
    let sink = SmtpSink::start().await;
    let mut extra: Vec<(&str, String)> = sink.settings();
    extra.push(("BOTFLEET_NOTIFICATIONS_EMAIL_BATCH_SECONDS", "2".into()));
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = spawn_with_repositories(settings(store, &pairs)).await;
    let (ana, _) = user(&app, "ana@example.com", "pt-BR").await;
    let (bob, _) = user(&app, "bob@example.com", "en").await;
    let (off, _) = user(&app, "off@example.com", "en").await;
    for u in [ana, bob] {
        choose(&repos, u, &[(EventType::OrderFilled, &[Channel::InApp, Channel::Email])]).await;
    }
    choose(&repos, off, &[(EventType::PaymentSucceeded, &[Channel::InApp]), (EventType::BotPaused, &[])]).await;

    let mut burst = Vec::new();
    for u in [ana, bob, off] {
        burst.extend([filled(u), filled(u), paid(u), filled(u)]);
    }
    burst.push(paused(off, "Grid"));
    repos.events.enqueue(&burst).await.unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while (notifications(&sink, "ana@example.com").is_empty() || notifications(&sink, "bob@example.com").is_empty())
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await; // room for a wrong second message

    let ana_mail = notifications(&sink, "ana@example.com");
    assert_eq!(ana_mail.len(), 1, "one message for the whole burst: {ana_mail:?}");
    assert_eq!(ana_mail[0]["subject"], "botfleet: 3 ordens executadas, 1 pagamento aprovado");
    let text = ana_mail[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Olá,") && text.matches("Ordem executada: buy BTC-USDT (binance), 0.01 a 50000").count() == 3
    );
    assert!(ana_mail[0]["html"].as_str().unwrap().contains("<li>"), "an HTML part too");
    let bob_mail = notifications(&sink, "bob@example.com");
    assert_eq!(bob_mail.len(), 1, "{bob_mail:?}");
    assert_eq!(bob_mail[0]["subject"], "botfleet: 3 orders filled, 1 payment succeeded");
    assert!(bob_mail[0]["text"].as_str().unwrap().starts_with("Hello,"));
    assert!(notifications(&sink, "off@example.com").is_empty(), "preferences off (and fills by default) send nothing");
    let metrics = app.get("/metrics", None).await.text;
    assert!(
        metrics.contains("botfleet_notification_deliveries_total{channel=\"email\",outcome=\"sent\"}"),
        "{metrics}"
    );
}

/// Waits until `check` holds on `GET /api/notifications/telegram`.
async fn wait_status(app: &TestApp, token: &str, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let status = app.get("/api/notifications/telegram", Some(token)).await.ok(200).clone();
        if check(&status) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the Telegram link never reached the expected state");
}

async fn a_linked_telegram_chat_receives_events_and_429_and_403_are_handled(store: Store) {
    let fake = FakeTelegram::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = spawn_with_repositories(settings(store, &pairs)).await;
    let (ana, token) = user(&app, "ana@example.com", "pt-BR").await;
    assert_eq!(app.get("/api/notifications/telegram", Some(&token)).await.ok(200)["linked"], false);

    let offer = app.post("/api/notifications/telegram/link", Some(&token), &json!({})).await.ok(200).clone();
    let code = offer["code"].as_str().unwrap();
    assert_eq!(offer["url"], format!("https://t.me/{USERNAME}?start={code}"));
    fake.user_sends(555, &format!("/start {code}"));
    let status = wait_status(&app, &token, |s| s["linked"] == true).await;
    assert!(status["linked_at"].is_string());
    let confirmation = fake.wait_for(1).await.remove(0);
    assert_eq!((confirmation.chat_id, confirmation.parse_mode.as_deref()), (555, Some("HTML")));
    assert!(confirmation.text.starts_with("<b>Pronto,"), "{confirmation:?}");

    // A safety event reaches the chat, escaped; a fill (off by default) does not.
    repos.events.enqueue(&[filled(ana), paused(ana, "Grid <BTC> & co")]).await.unwrap();
    let message = fake.wait_for(2).await.remove(1);
    assert_eq!(message.chat_id, 555);
    assert!(message.text.starts_with("<b>Bot pausado</b>\nGrid &lt;BTC&gt; &amp; co"), "{message:?}");
    assert!(fake.refused().is_empty(), "every text parsed as Telegram HTML");

    // 429: the message waits Telegram's retry_after, then goes once.
    fake.too_many_requests(2);
    let asked = tokio::time::Instant::now();
    repos.events.enqueue(&[paused(ana, "Second")]).await.unwrap();
    let sent = fake.wait_for(3).await;
    assert!(asked.elapsed() >= Duration::from_secs(2), "sent before retry_after");
    assert!(sent[2].text.contains("Second"));

    // Preferences off: nothing more is sent.
    choose(&repos, ana, &[(EventType::BotPaused, &[Channel::InApp])]).await;
    repos.events.enqueue(&[paused(ana, "Muted")]).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(fake.sent().len(), 3, "{:?}", fake.sent());

    // 403: the user blocked the bot, so the chat is unlinked.
    choose(&repos, ana, &[]).await;
    fake.block(555);
    repos.events.enqueue(&[paused(ana, "Blocked")]).await.unwrap();
    wait_status(&app, &token, |s| s["linked"] == false).await;
    assert!(fake.offsets().iter().any(|o| *o > 100_000), "getUpdates confirms what it read");

    // Unlinking by hand answers 204 even when nothing is linked.
    app.delete("/api/notifications/telegram", Some(&token), None).await.ok(204);
}

async fn telegram_off_is_503(store: Store) {
    let (app, _repos) = spawn_with_repositories(settings(store, &[])).await;
    let (_, token) = user(&app, "ana@example.com", "en").await;
    app.post("/api/notifications/telegram/link", Some(&token), &json!({})).await.problem(503, "telegram_unavailable");
    app.get("/api/notifications/telegram", Some(&token)).await.problem(503, "telegram_unavailable");
    app.delete("/api/notifications/telegram", Some(&token), None).await.problem(503, "telegram_unavailable");
}

async fn account_deletion_erases_the_link_and_the_deliveries(store: Store) {
    let fake = FakeTelegram::start().await;
    let extra = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = spawn_with_repositories(settings(store, &pairs)).await;
    let session = app.user("gone@example.com").await;
    let ana = UserId::parse(&session.user_id).unwrap();
    let code = app.post("/api/notifications/telegram/link", Some(&session.access), &json!({})).await.ok(200)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    fake.user_sends(777, &format!("/start {code}"));
    wait_status(&app, &session.access, |s| s["linked"] == true).await;
    let waiting = Delivery::new(paid(ana), 1, Channel::Email, OffsetDateTime::now_utc());
    repos.deliveries.add(&[waiting]).await.unwrap();

    let password = json!({"password": session.password});
    app.delete("/api/users/me", Some(&session.access), Some(&password)).await.ok(200);

    assert_eq!(repos.telegram.get(ana).await.unwrap(), None, "the link is erased");
    assert!(repos.deliveries.pending_of(Channel::Email, ana, 10).await.unwrap().is_empty(), "deliveries erased");
}
