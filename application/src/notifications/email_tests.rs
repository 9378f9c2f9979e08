//! The e-mail channel against in-memory fakes: batching, urgency, retries, preferences, the
//! queue's bound and the cursor.

use std::sync::Arc;

use domain::identity::Language;
use domain::notifications::{Channel, ChannelSet, DeliveryStatus, EventType, NotificationPreferences, MAX_ATTEMPTS};
use domain::shared::ids::UserId;
use time::Duration;

use super::*;
use crate::notifications::dispatch::Everyone;
use crate::notifications::dispatch_fakes::{FakeMailer, FakeRecipients, Fakes};
use crate::notifications::dispatch_words::fixtures::{filled, paused};

struct Setup {
    fakes: Fakes,
    mailer: Arc<FakeMailer>,
    recipients: Arc<FakeRecipients>,
    channel: EmailNotifications,
}

fn setup() -> Setup {
    let fakes = Fakes::new();
    let (mailer, recipients) = (Arc::new(FakeMailer::default()), Arc::new(FakeRecipients::default()));
    let channel = EmailNotifications::new(
        fakes.ports(),
        recipients.clone(),
        Arc::new(Everyone),
        mailer.clone(),
        Duration::seconds(60),
        "https://app.example/",
    );
    Setup { fakes, mailer, recipients, channel }
}

/// Fills on e-mail for `user` (off by default).
fn fills_by_email(s: &Setup, user: UserId) {
    let mut prefs = NotificationPreferences::defaults(user);
    let now = s.fakes.clock.now();
    prefs.choose(EventType::OrderFilled, ChannelSet::of(&[Channel::InApp, Channel::Email]), now);
    s.fakes.preferences.0.lock().unwrap().insert(user, prefs);
}

#[tokio::test]
async fn a_burst_is_one_message_once_the_window_passed() {
    let s = setup();
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", Language::PtBr);
    fills_by_email(&s, user);
    for _ in 0..5 {
        s.fakes.events.push(filled(user, s.fakes.clock.now()));
    }

    let first = s.channel.run().await.unwrap();
    assert_eq!((first.dispatched.created, first.mails, first.pending), (5, 0, 5), "held for the window");
    s.fakes.clock.advance(Duration::seconds(30));
    s.fakes.events.push(filled(user, s.fakes.clock.now()));
    assert_eq!(s.channel.run().await.unwrap().mails, 0);
    s.fakes.clock.advance(Duration::seconds(31));
    let report = s.channel.run().await.unwrap();

    assert_eq!((report.mails, report.sent, report.pending), (1, 6, 0), "the oldest waited: everything goes in one");
    let sent = s.mailer.sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].subject, "botfleet: 6 ordens executadas");
    assert_eq!(sent[0].to.as_str(), "ana@example.com");
}

#[tokio::test]
async fn a_safety_event_skips_the_window_and_takes_the_rest_along() {
    let s = setup();
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", Language::En);
    fills_by_email(&s, user);
    s.fakes.events.push(filled(user, s.fakes.clock.now()));
    s.fakes.events.push(paused(user, s.fakes.clock.now()));

    let report = s.channel.run().await.unwrap();

    assert_eq!((report.mails, report.sent), (1, 2));
    assert_eq!(s.mailer.sent.lock().unwrap()[0].subject, "botfleet: 1 order filled, 1 bot paused");
}

#[tokio::test]
async fn preferences_off_and_defaults_send_nothing_and_the_cursor_moves_on() {
    let s = setup();
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", Language::En);
    s.fakes.events.push(filled(user, s.fakes.clock.now())); // fills are off by default
    let mut prefs = NotificationPreferences::defaults(user);
    prefs.choose(EventType::BotPaused, ChannelSet::of(&[Channel::InApp]), s.fakes.clock.now());
    s.fakes.preferences.0.lock().unwrap().insert(user, prefs);
    s.fakes.events.push(paused(user, s.fakes.clock.now()));

    let report = s.channel.run().await.unwrap();
    s.fakes.clock.advance(Duration::minutes(5));
    let again = s.channel.run().await.unwrap();

    assert_eq!((report.dispatched.read, report.dispatched.created, report.dispatched.cursor), (2, 0, 2));
    assert_eq!((again.dispatched.read, again.mails), (0, 0));
    assert!(s.mailer.sent.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_server_is_retried_with_backoff_then_given_up() {
    let s = setup();
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", Language::En);
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    *s.mailer.failing.lock().unwrap() = true;

    let report = s.channel.run().await.unwrap();
    assert_eq!((report.failed, report.pending), (1, 1));
    assert_eq!(s.channel.run().await.unwrap().failed, 0, "not retried before the backoff");
    for _ in 1..MAX_ATTEMPTS {
        s.fakes.clock.advance(Duration::hours(1));
        s.channel.run().await.unwrap();
    }

    let d = &s.fakes.deliveries.all()[0];
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Dead, MAX_ATTEMPTS));
    assert_eq!(d.last_error.as_deref(), Some("the mail server refused or could not be reached"));
}

#[tokio::test]
async fn a_retry_that_succeeds_sends_once() {
    let s = setup();
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", Language::En);
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    *s.mailer.failing.lock().unwrap() = true;
    s.channel.run().await.unwrap();
    *s.mailer.failing.lock().unwrap() = false;
    s.fakes.clock.advance(Duration::seconds(30));

    let report = s.channel.run().await.unwrap();
    s.fakes.clock.advance(Duration::hours(2));
    s.channel.run().await.unwrap();

    assert_eq!(report.sent, 1);
    assert_eq!(s.mailer.sent.lock().unwrap().len(), 1);
    assert_eq!(s.fakes.deliveries.all()[0].attempts, 2);
}

#[tokio::test]
async fn a_gone_account_is_skipped_and_old_events_are_not_sent() {
    let s = setup();
    let (gone, known) = (UserId::new(), UserId::new());
    s.recipients.add(known, "k@example.com", Language::En);
    s.fakes.events.push(paused(gone, s.fakes.clock.now()));
    s.fakes.events.push(paused(known, s.fakes.clock.now() - Duration::days(2)));

    let report = s.channel.run().await.unwrap();

    assert_eq!((report.dispatched.created, report.skipped, report.mails), (1, 1, 0));
    assert_eq!(s.fakes.deliveries.all()[0].status, DeliveryStatus::Skipped);
}

#[tokio::test]
async fn dispatching_twice_over_the_same_events_is_harmless() {
    let s = setup();
    let user = UserId::new();
    s.recipients.add(user, "ana@example.com", Language::En);
    s.fakes.events.push(paused(user, s.fakes.clock.now()));
    s.channel.run().await.unwrap();
    s.fakes.cursors.0.lock().unwrap().clear(); // a dispatcher that died before moving its cursor

    let again = s.channel.run().await.unwrap();

    assert_eq!((again.dispatched.read, again.dispatched.created, again.mails), (1, 0, 0));
    assert_eq!(s.mailer.sent.lock().unwrap().len(), 1);
}
