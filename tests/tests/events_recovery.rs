//! No event is lost when the process dies right after the change that raised it: the events a
//! write stored in a bot's and an order's outbox (and one queued) reach the event log exactly once
//! when a new server starts on the same data, although no relay ran before. Both stores. And a
//! write through a running server's repositories is relayed at once by the nudge, not at the
//! relay's next tick. Account deletion erases the user's events and preferences, and the relay
//! logs none of theirs afterwards.

use std::time::Duration;

use botfleet_tests::app::{settings, spawn_with_repositories, Store};
use botfleet_tests::contract::bots::busy_bot;
use botfleet_tests::contract::events::{anomaly, payment_failed};
use botfleet_tests::contract::fixtures::order;
use domain::notifications::{Channel, ChannelSet, Event, EventType, NotificationPreferences, Outbox, StoredEvent};
use domain::shared::ids::{ContextId, UserId};
use infrastructure::repositories::Repositories;

botfleet_tests::on_both_stores!(
    events_stored_before_a_crash_reach_the_log_once_after_a_restart,
    a_write_nudges_the_relay_at_once,
    a_queued_event_nudges_the_relay_at_once,
    account_deletion_erases_events_and_preferences
);

/// Polls the log for up to `within` until it holds `n` events.
async fn wait_for(repos: &Repositories, n: usize, within: Duration) -> Vec<StoredEvent> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let log = repos.events.after(None, 0, 1000).await.unwrap();
        if log.len() >= n || tokio::time::Instant::now() >= deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ids(events: &[Event]) -> Vec<String> {
    let mut ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
    ids.sort();
    ids
}

fn logged(log: &[StoredEvent]) -> Vec<String> {
    ids(&log.iter().map(|e| e.event.clone()).collect::<Vec<_>>())
}

async fn events_stored_before_a_crash_reach_the_log_once_after_a_restart(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap().to_owned();
    let extra: &[(&str, &str)] = if store == Store::Embedded { &[("BOTFLEET_DATA_DIR", &path)] } else { &[] };
    let settings = settings(store, extra);
    let user = UserId::new();
    let raised = vec![anomaly(user, 1), payment_failed(user, 2), anomaly(user, 3), anomaly(user, 4)];
    let bot_id = {
        // The process that made the changes: it stores them and dies before any relay runs.
        let repos = api::bootstrap::open_store(&settings).await.unwrap();
        // The fixtures' own events (the bot's start) are not this test's: only `raised` waits.
        let mut bot = busy_bot(user);
        bot.outbox = Outbox::default();
        bot.outbox.raise(raised[0].clone());
        bot.outbox.raise(raised[1].clone());
        let bot = repos.bots.create(&bot).await.unwrap();
        let mut o = order(user, ContextId::new(), 3);
        o.outbox = Outbox::default();
        o.outbox.raise(raised[2].clone());
        repos.orders.create(&o).await.unwrap();
        repos.events.enqueue(&raised[3..]).await.unwrap();
        assert!(repos.events.after(None, 0, 10).await.unwrap().is_empty(), "nothing relayed yet");
        bot.id
    };

    // A new server on the same data: its relay finds what waits.
    let (app, repos) = spawn_with_repositories(settings).await;
    let log = wait_for(&repos, raised.len(), Duration::from_secs(20)).await;
    assert_eq!(logged(&log), ids(&raised), "every event reaches the log");
    // `/metrics` counts them (the counter is the process's: other tests of this binary add to it)
    // and shows the relay's queue depth.
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let relayed = metrics.lines().find_map(|l| l.strip_prefix("botfleet_events_relayed_total "));
    assert!(relayed.and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 4), "{metrics}");
    assert!(metrics.contains(r#"botfleet_notification_deliveries_pending{channel="relay"}"#), "{metrics}");
    // Later passes (one a second) add nothing.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(logged(&repos.events.after(None, 0, 1000).await.unwrap()), ids(&raised), "each once");
    let bot = repos.bots.find(bot_id).await.unwrap();
    assert!(bot.outbox.is_empty(), "the outbox is cleared");
    assert_eq!(bot.version, 1, "clearing keeps the version");
}

async fn a_write_nudges_the_relay_at_once(store: Store) {
    // The relay's tick is an hour away: only the nudge can move the event.
    let (_app, repos) =
        spawn_with_repositories(settings(store, &[("BOTFLEET_WORKFLOW_RELAY_EVENTS_SECS", "3600")])).await;
    let user = UserId::new();
    let event = anomaly(user, 1);
    let mut bot = busy_bot(user);
    bot.outbox = Outbox::default();
    bot.outbox.raise(event.clone());

    repos.bots.create(&bot).await.unwrap();

    let log = wait_for(&repos, 1, Duration::from_secs(5)).await;
    assert_eq!(logged(&log), ids(&[event]));
}

async fn account_deletion_erases_events_and_preferences(store: Store) {
    let (app, repos) = spawn_with_repositories(settings(store, &[])).await;
    let ana = app.user("erased@example.com").await;
    let bia = app.user("kept@example.com").await;
    let (ana_id, bia_id): (UserId, UserId) = (ana.user_id.parse().unwrap(), bia.user_id.parse().unwrap());
    repos.events.record(&[anomaly(ana_id, 1), anomaly(bia_id, 2)], time::OffsetDateTime::now_utc()).await.unwrap();
    let mut prefs = NotificationPreferences::defaults(ana_id);
    prefs.choose(EventType::OrderFilled, ChannelSet::of(&[Channel::InApp]), time::OffsetDateTime::now_utc());
    repos.preferences.put(&prefs).await.unwrap();

    let password = serde_json::json!({"password": ana.password});
    app.delete("/api/users/me", Some(&ana.access), Some(&password)).await.ok(200);

    assert!(repos.events.after(Some(ana_id), 0, 100).await.unwrap().is_empty());
    assert_eq!(repos.preferences.get(ana_id).await.unwrap(), NotificationPreferences::defaults(ana_id));
    assert_eq!(repos.events.after(Some(bia_id), 0, 100).await.unwrap().len(), 1, "another user's stay");
    // An event of the deleted account still waiting (raised by the teardown, say) is dropped.
    let late = anomaly(ana_id, 3);
    repos.events.enqueue(&[late, anomaly(bia_id, 4)]).await.unwrap();
    let log = wait_for(&repos, 2, Duration::from_secs(10)).await;
    assert_eq!(log.iter().filter(|e| e.event.user_id == bia_id).count(), 2);
    assert!(log.iter().all(|e| e.event.user_id != ana_id), "{log:?}");
}

async fn a_queued_event_nudges_the_relay_at_once(store: Store) {
    // The relay's tick is an hour away: only the queue's nudge can move the event.
    let (_app, repos) =
        spawn_with_repositories(settings(store, &[("BOTFLEET_WORKFLOW_RELAY_EVENTS_SECS", "3600")])).await;
    let event = anomaly(UserId::new(), 1);

    repos.events.enqueue(std::slice::from_ref(&event)).await.unwrap();

    let log = wait_for(&repos, 1, Duration::from_secs(5)).await;
    assert_eq!(logged(&log), ids(&[event]));
}
