//! Linking a chat and sending to it, against in-memory fakes: codes, `/start`, 429s and 403s.

use std::sync::Arc;

use domain::identity::Language;
use domain::notifications::{
    Channel, ChannelSet, DeliveryStatus, EventType, NotificationPreferences, TelegramError, TelegramRepository,
};
use domain::shared::ids::UserId;
use time::Duration;

use super::*;
use crate::notifications::dispatch_fakes::{FakeRecipients, Fakes};
use crate::notifications::dispatch_words::fixtures::{filled, paused};
use crate::notifications::telegram::TelegramLinking;
use crate::notifications::telegram_fakes::{FakeBot, FakeLinks};
use crate::notifications::telegram_updates::TelegramUpdates;

struct Setup {
    fakes: Fakes,
    bot: Arc<FakeBot>,
    links: Arc<FakeLinks>,
    recipients: Arc<FakeRecipients>,
    linking: TelegramLinking,
    updates: TelegramUpdates,
    channel: TelegramNotifications,
}

fn setup() -> Setup {
    let fakes = Fakes::new();
    let (bot, links, recipients) =
        (Arc::new(FakeBot::default()), Arc::new(FakeLinks::default()), Arc::new(FakeRecipients::default()));
    let linking = TelegramLinking::new(bot.clone(), links.clone(), fakes.clock.clone());
    let updates = TelegramUpdates::new(bot.clone(), links.clone(), recipients.clone(), fakes.clock.clone(), 0);
    let channel = TelegramNotifications::new(fakes.ports(), links.clone(), recipients.clone(), bot.clone());
    Setup { fakes, bot, links, recipients, linking, updates, channel }
}

/// A user linked to chat `chat` through the real flow.
async fn linked(s: &Setup, chat: i64, language: Language) -> UserId {
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", language);
    let offer = s.linking.offer(user).await.unwrap();
    s.bot.message(chat * 10, chat, &format!("/start {}", offer.code));
    assert_eq!(s.updates.run().await.unwrap().linked, 1);
    user
}

#[tokio::test]
async fn a_code_links_the_chat_once_and_is_stored_hashed() {
    let s = setup();
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", Language::En);

    let offer = s.linking.offer(user).await.unwrap();
    assert_eq!(offer.url, format!("https://t.me/botfleet_test_bot?start={}", offer.code));
    assert_eq!(offer.expires_at, s.fakes.clock.now() + Duration::minutes(10));
    assert!(s.links.codes.lock().unwrap().iter().all(|c| c.code_hash != offer.code && c.code_hash.len() == 64));
    s.bot.message(7, 555, &format!("/start {}", offer.code));
    let first = s.updates.run().await.unwrap();
    s.bot.message(8, 666, &format!("/start {}", offer.code));
    let second = s.updates.run().await.unwrap();

    assert_eq!((first.linked, second.linked, second.refused), (1, 0, 1), "a code works once");
    assert_eq!(s.linking.status(user).await.unwrap().map(|l| l.chat_id), Some(555));
    assert_eq!(*s.bot.asked_offsets.lock().unwrap(), vec![0, 8], "the offset confirms what was read");
    let sent = s.bot.sent();
    assert!(sent[0].0 == 555 && sent[0].1.starts_with("<b>Done, Ana!</b>"), "{sent:?}");
    assert!(sent[1].0 == 666 && sent[1].1.contains("does not work"));
    assert!(s.linking.unlink(user).await.unwrap());
    assert_eq!(s.linking.status(user).await.unwrap(), None);
}

#[tokio::test]
async fn an_expired_or_superseded_code_is_refused() {
    let s = setup();
    let user = UserId::new();
    let old = s.linking.offer(user).await.unwrap();
    let new = s.linking.offer(user).await.unwrap();
    s.bot.message(1, 555, &format!("/start {}", old.code));
    assert_eq!(s.updates.run().await.unwrap().refused, 1, "superseded");
    s.fakes.clock.advance(Duration::minutes(11));
    s.bot.message(2, 555, &format!("/start {}", new.code));
    assert_eq!(s.updates.run().await.unwrap().refused, 1, "expired");
    assert_eq!(s.links.get(user).await.unwrap(), None);
}

#[tokio::test]
async fn a_safety_event_reaches_the_linked_chat_escaped() {
    let s = setup();
    let user = linked(&s, 555, Language::PtBr).await;
    let unlinked = UserId::new();
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    s.fakes.events.push(paused(unlinked, s.fakes.clock.now()));
    s.fakes.events.push(filled(user, s.fakes.clock.now())); // fills are off by default

    let report = s.channel.run().await.unwrap();

    assert_eq!((report.dispatched.created, report.sent), (1, 1), "only the linked user's wanted event");
    let (chat, text) = s.bot.sent().pop().unwrap();
    assert_eq!(chat, 555);
    assert!(text.starts_with("<b>Bot pausado</b>\nGrid &lt;BTC&gt; &amp; co (BTC-USDT, binance)"), "{text}");
}

#[tokio::test]
async fn preferences_off_send_nothing() {
    let s = setup();
    let user = linked(&s, 555, Language::En).await;
    let mut prefs = NotificationPreferences::defaults(user);
    prefs.choose(EventType::BotPaused, ChannelSet::of(&[Channel::InApp, Channel::Email]), s.fakes.clock.now());
    s.fakes.preferences.0.lock().unwrap().insert(user, prefs);
    s.fakes.events.push(paused(user, s.fakes.clock.now()));

    let report = s.channel.run().await.unwrap();

    assert_eq!((report.dispatched.read, report.dispatched.created, report.sent), (1, 0, 0));
    assert_eq!(s.bot.sent().len(), 1, "only the link confirmation");
}

#[tokio::test]
async fn a_429_puts_every_send_off_for_retry_after_without_counting_an_attempt() {
    let s = setup();
    let user = linked(&s, 555, Language::En).await;
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    s.bot.fail_next(TelegramError::RetryAfter(5));

    let first = s.channel.run().await.unwrap();
    assert_eq!((first.sent, first.failed, first.pending), (0, 1, 2), "the pass stops at the 429");
    s.fakes.clock.advance(Duration::seconds(4));
    assert_eq!(s.channel.run().await.unwrap().sent, 0, "quiet until retry_after");
    s.fakes.clock.advance(Duration::seconds(1));
    let later = s.channel.run().await.unwrap();

    assert_eq!((later.sent, later.pending), (2, 0));
    assert!(s.fakes.deliveries.all().iter().all(|d| d.status == DeliveryStatus::Sent && d.attempts == 1));
}

#[tokio::test]
async fn a_403_unlinks_the_chat_and_gives_its_deliveries_up() {
    let s = setup();
    let user = linked(&s, 555, Language::En).await;
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    s.bot.fail_next(TelegramError::Forbidden("bot was blocked by the user".into()));

    let report = s.channel.run().await.unwrap();

    assert_eq!((report.dead, report.unlinked, report.skipped, report.sent), (1, 1, 1, 0));
    assert_eq!(s.links.get(user).await.unwrap(), None);
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    assert_eq!(s.channel.run().await.unwrap().dispatched.created, 0, "an unlinked user gets no deliveries");
}

#[tokio::test]
async fn other_failures_are_retried_with_backoff() {
    let s = setup();
    let user = linked(&s, 555, Language::En).await;
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    s.bot.fail_next(TelegramError::Failed("502".into()));

    assert_eq!(s.channel.run().await.unwrap().failed, 1);
    assert_eq!(s.channel.run().await.unwrap().sent, 0);
    s.fakes.clock.advance(Duration::seconds(30));

    assert_eq!(s.channel.run().await.unwrap().sent, 1);
}
