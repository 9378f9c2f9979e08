//! Contract of the outbox relay on every store: the events an aggregate's write stored reach the
//! log once; the outbox is cleared without bumping the version (the holder's next write
//! succeeds); a write between the relay's read and its clear keeps the events for the next pass
//! without duplicating any; queued events are drained; two relays at once log each event once.

use std::collections::HashSet;
use std::sync::Arc;

use domain::notifications::{Event, StoredEvent};
use domain::shared::clock::FixedClock;
use domain::shared::ids::{ContextId, EventId, UserId};
use domain::subscriptions::Plan;
use domain::Clock;
use infrastructure::notifications::Relay;
use infrastructure::repositories::Repositories;

use super::bots::busy_bot;
use super::events::{anomaly, payment_failed};
use super::fixtures::{at, credential, order, subscription};

/// A relay over the repositories' store.
pub fn relay(repos: &Repositories) -> Relay {
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at(1000)));
    Relay::new(repos.store.clone(), clock)
}

async fn log(repos: &Repositories) -> Vec<StoredEvent> {
    repos.events.after(None, 0, 10_000).await.unwrap()
}

fn ids_of(events: &[Event]) -> HashSet<EventId> {
    events.iter().map(|e| e.id).collect()
}

/// Asserts the log holds exactly `expected`, each once, in strictly increasing `seq`.
#[track_caller]
fn assert_logged_once(log: &[StoredEvent], expected: &[Event]) {
    let logged: Vec<EventId> = log.iter().map(|e| e.event.id).collect();
    assert_eq!(logged.len(), expected.len(), "{logged:?}");
    assert_eq!(logged.iter().copied().collect::<HashSet<_>>(), ids_of(expected));
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
}

/// Outboxes of bots, orders, subscriptions and credentials reach the log once; the documents
/// keep their version and lose their outbox, and the holder's next write succeeds.
pub async fn outboxes_reach_the_log_once_and_keep_the_version(repos: &Repositories) {
    let user = UserId::new();
    let events: Vec<Event> =
        (1..=7).map(|n| if n % 2 == 0 { anomaly(user, n) } else { payment_failed(user, n) }).collect();
    let raise = |n: usize| events[n - 1].clone();
    let mut raised = events[..6].to_vec();
    let mut bot = busy_bot(user);
    bot.outbox = Default::default(); // the fixture's own start event is not this test's
    bot.outbox.raise(raise(1));
    let bot = repos.bots.create(&bot).await.unwrap();
    let mut bot = repos.bots.find(bot.id).await.unwrap();
    bot.outbox.raise(raise(2));
    let bot = repos.bots.update(&bot).await.unwrap();
    let mut o = order(user, ContextId::new(), 3);
    o.outbox.raise(raise(3));
    let o = repos.orders.create(&o).await.unwrap();
    let mut s = subscription(user, Plan::Pro, 4);
    s.outbox.raise(raise(4));
    repos.subscriptions.create(&s).await.unwrap();
    let mut c = credential(user, domain::credentials::ExchangeId::Binance, 5);
    c.outbox.raise(raise(5));
    c.outbox.raise(raise(6));
    let c = repos.credentials.create(&c).await.unwrap();
    assert_eq!(repos.orders.get(user, o.id).await.unwrap().outbox.len(), 1, "the outbox is read back");
    assert_eq!(repos.credentials.get(user, c.id).await.unwrap().outbox.events(), c.outbox.events());

    let relay = relay(repos);
    let report = relay.run_once().await.unwrap();

    assert_eq!((report.relayed, report.cleared, report.waiting), (6, 4, 0), "{report:?}");
    assert_logged_once(&log(repos).await, &raised);
    let stored = repos.bots.find(bot.id).await.unwrap();
    assert!(stored.outbox.is_empty());
    assert_eq!(stored.version, bot.version, "clearing keeps the version");
    assert!(repos.orders.get(user, o.id).await.unwrap().outbox.is_empty());
    assert!(repos.subscriptions.get_for_user(user).await.unwrap().outbox.is_empty());
    // The engine still holds the bot it wrote (outbox and all): its next write succeeds and the
    // copy of the logged event it carries is not logged twice.
    let mut held = bot.clone();
    held.outbox.raise(raise(7));
    repos.bots.update(&held).await.unwrap();
    raised.push(raise(7));
    assert_eq!(relay.run_once().await.unwrap().relayed, 1);
    assert_logged_once(&log(repos).await, &raised);
    assert_eq!(relay.run_once().await.unwrap(), Default::default(), "nothing waits");
}

/// A write between the relay's read and its clear wins: its events stay for the next pass.
pub async fn a_write_after_the_read_keeps_its_events(repos: &Repositories) {
    let user = UserId::new();
    let (first, second) = (anomaly(user, 1), anomaly(user, 2));
    let mut bot = busy_bot(user);
    bot.outbox = Default::default(); // the fixture's own start event is not this test's
    bot.outbox.raise(first.clone());
    let bot = repos.bots.create(&bot).await.unwrap();
    let stale = repos.store.get("bots", &bot.id.to_string()).await.unwrap().unwrap();
    let mut changed = bot.clone();
    changed.outbox.raise(second.clone());
    let changed = repos.bots.update(&changed).await.unwrap();

    // The relay's clear of what it read before the write is refused.
    let mut cleared = stale.clone();
    cleared.remove("outbox_at");
    assert!(!repos.store.replace_same_version("bots", cleared, bot.version).await.unwrap());
    assert_eq!(repos.bots.find(bot.id).await.unwrap().outbox, changed.outbox);

    relay(repos).run_once().await.unwrap();
    assert_logged_once(&log(repos).await, &[first, second]);
}

/// Queued events are moved and dequeued; the pending gauge counts what waits.
pub async fn the_queue_is_drained(repos: &Repositories) {
    let user = UserId::new();
    let queued: Vec<Event> = (1..=3).map(|i| anomaly(user, i)).collect();
    repos.events.enqueue(&queued).await.unwrap();
    let relay = relay(repos);
    assert_eq!(relay.waiting().await.unwrap(), 3);

    let report = relay.run_once().await.unwrap();

    assert_eq!((report.relayed, report.dequeued, report.waiting), (3, 3, 0), "{report:?}");
    assert_logged_once(&log(repos).await, &queued);
    assert_eq!(repos.store.count("event_queue", &infrastructure::store::Query::all()).await.unwrap(), 0);
}

/// Events queued in the same millisecond reach the log in the order they were queued (their ids,
/// random, would order them otherwise), across separate calls and within one.
pub async fn events_of_one_millisecond_keep_their_queue_order(repos: &Repositories) {
    let user = UserId::new();
    let mut queued = Vec::new();
    for i in 0..12 {
        queued.push(anomaly(user, 5));
        if i % 3 == 2 {
            repos.events.enqueue(&queued[i - 2..=i]).await.unwrap();
        }
    }

    relay(repos).run_once().await.unwrap();

    let logged: Vec<EventId> = log(repos).await.iter().map(|e| e.event.id).collect();
    assert_eq!(logged, queued.iter().map(|e| e.id).collect::<Vec<_>>(), "the log keeps the queue's order");
}

/// Two relays at once (a lease handover) log each event once, in strictly increasing `seq`.
pub async fn two_relays_at_once_log_each_event_once(repos: &Repositories) {
    let mut raised = Vec::new();
    for i in 0..12 {
        let user = UserId::new();
        let mut bot = busy_bot(user);
        bot.outbox = Default::default(); // the fixture's own start event is not this test's
        for j in 0..3 {
            let e = anomaly(user, i * 10 + j);
            bot.outbox.raise(e.clone());
            raised.push(e);
        }
        repos.bots.create(&bot).await.unwrap();
        let extra = payment_failed(user, i);
        repos.events.enqueue(std::slice::from_ref(&extra)).await.unwrap();
        raised.push(extra);
    }
    let (a, b) = (relay(repos), relay(repos));

    let (ra, rb) = tokio::join!(tokio::spawn(async move { a.run_once().await }), async { b.run_once().await });

    let (ra, rb) = (ra.unwrap().unwrap(), rb.unwrap());
    assert_eq!(ra.relayed + rb.relayed, raised.len() as u64, "{ra:?} {rb:?}");
    assert_logged_once(&log(repos).await, &raised);
    assert_eq!(relay(repos).run_once().await.unwrap().waiting, 0);
}
