//! Contract of `EventRepository` and `PreferenceRepository`: the log records an id once, `seq`
//! strictly increases and `after` misses nothing, lists, unread counts and marks are per user,
//! another user's events are invisible, and an erasure leaves no trace nor a `seq` to reuse.

use std::collections::HashSet;

use domain::notifications::{
    AnomalyData, Channel, ChannelSet, Event, EventFilter, EventPayload, EventType, NotificationPreferences, PaymentData,
};
use domain::shared::ids::{EventId, UserId};
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::at;

/// A market anomaly of `user`'s `seconds` after the fixtures' epoch (an in-app default).
pub fn anomaly(user: UserId, seconds: i64) -> Event {
    let data = AnomalyData {
        exchange: domain::exchange::ExchangeId::Binance,
        symbol: "BTC-USDT".parse().unwrap(),
        description: format!("gap {seconds}"),
    };
    Event::new(user, EventPayload::MarketAnomaly(data), at(seconds))
}

/// A failed payment of `user`'s `seconds` after the fixtures' epoch.
pub fn payment_failed(user: UserId, seconds: i64) -> Event {
    let data = PaymentData {
        provider: "stripe".into(),
        plan: "pro".into(),
        amount: Some(rust_decimal_macros::dec!(49.90)),
        currency: Some("BRL".into()),
        reason: Some("card declined".into()),
    };
    Event::new(user, EventPayload::PaymentFailed(data), at(seconds))
}

fn ids(events: &[domain::notifications::StoredEvent]) -> Vec<EventId> {
    events.iter().map(|e| e.event.id).collect()
}

/// Recording an id the log holds is a no-op, also within one call; the events read back whole.
pub async fn record_is_idempotent_by_id(repos: &Repositories) {
    let user = UserId::new();
    let (a, b) = (anomaly(user, 1), payment_failed(user, 2));

    let first = repos.events.record(&[a.clone(), a.clone()], at(10)).await.unwrap();
    let second = repos.events.record(&[a.clone(), b.clone()], at(11)).await.unwrap();
    let third = repos.events.record(&[b.clone(), a.clone()], at(12)).await.unwrap();

    assert_eq!(ids(&first), vec![a.id]);
    assert_eq!(ids(&second), vec![b.id]);
    assert!(third.is_empty());
    let all = repos.events.after(Some(user), 0, 100).await.unwrap();
    assert_eq!(all.iter().map(|e| e.event.clone()).collect::<Vec<_>>(), vec![a.clone(), b]);
    assert_eq!(repos.events.get(user, a.id).await.unwrap().unwrap().event, a);
}

/// `seq` strictly increases across calls and users, and `after` from any seen `seq` misses
/// nothing and repeats nothing, also under concurrent recorders (a lease handover).
pub async fn seq_increases_and_after_misses_nothing(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let events: Vec<Event> = (0..40).map(|i| if i % 3 == 0 { anomaly(bia, i) } else { anomaly(ana, i) }).collect();
    let (left, right) = events.split_at(20);
    let (l, r) = (repos.events.clone(), repos.events.clone());
    let (left, right) = (left.to_vec(), right.to_vec());
    let racing = tokio::spawn(async move {
        for chunk in left.chunks(3) {
            l.record(chunk, at(100)).await.unwrap();
        }
    });
    for chunk in right.chunks(4) {
        r.record(chunk, at(100)).await.unwrap();
    }
    racing.await.unwrap();
    // A copy of the whole batch by a second relay adds nothing.
    assert!(repos.events.record(&events, at(101)).await.unwrap().is_empty());

    let log = repos.events.after(None, 0, 1000).await.unwrap();
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(log.iter().map(|e| e.event.id).collect::<HashSet<_>>(), events.iter().map(|e| e.id).collect());
    let mut cursor = 0;
    let mut paged = Vec::new();
    loop {
        let page = repos.events.after(None, cursor, 7).await.unwrap();
        let Some(last) = page.last() else { break };
        cursor = last.seq;
        paged.extend(ids(&page));
    }
    assert_eq!(paged, ids(&log));
    let mine = repos.events.after(Some(ana), seqs[5], 1000).await.unwrap();
    let expected: Vec<EventId> =
        log.iter().filter(|e| e.seq > seqs[5] && e.event.user_id == ana).map(|e| e.event.id).collect();
    assert_eq!(ids(&mine), expected);
}

/// Lists are newest first, paged, filtered by type and unread; marks change only the user's.
pub async fn list_unread_and_mark_read_per_user(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let mine: Vec<Event> = (1..=4).map(|i| if i % 2 == 0 { payment_failed(ana, i) } else { anomaly(ana, i) }).collect();
    let theirs = anomaly(bia, 9);
    repos.events.record(&mine, at(10)).await.unwrap();
    repos.events.record(std::slice::from_ref(&theirs), at(10)).await.unwrap();
    let every = EventType::ALL;

    let page = repos.events.list(ana, &EventFilter::default(), PageRequest::new(0, 3)).await.unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.items.iter().map(|e| e.event.id).collect::<Vec<_>>(), vec![mine[3].id, mine[2].id, mine[1].id]);
    let payments = EventFilter { types: Some(vec![EventType::PaymentFailed]), unread_only: false };
    let page = repos.events.list(ana, &payments, PageRequest::first()).await.unwrap();
    assert_eq!(page.items.iter().map(|e| e.event.id).collect::<Vec<_>>(), vec![mine[3].id, mine[1].id]);
    assert_eq!(repos.events.unread_count(ana, every).await.unwrap(), 4);
    assert_eq!(repos.events.unread_count(ana, &[EventType::MarketAnomaly]).await.unwrap(), 2);
    assert_eq!(repos.events.unread_count(ana, &[]).await.unwrap(), 0);

    assert!(repos.events.mark_read(ana, mine[0].id, at(20)).await.unwrap());
    assert!(repos.events.mark_read(ana, mine[0].id, at(30)).await.unwrap(), "already read is still theirs");
    assert_eq!(repos.events.get(ana, mine[0].id).await.unwrap().unwrap().read_at, Some(at(20)));
    let unread = EventFilter { types: None, unread_only: true };
    let page = repos.events.list(ana, &unread, PageRequest::first()).await.unwrap();
    assert_eq!((page.total, page.items.len()), (3, 3));
    assert_eq!(repos.events.mark_all_read(ana, at(40)).await.unwrap(), 3);
    assert_eq!(repos.events.unread_count(ana, every).await.unwrap(), 0);
    assert_eq!(repos.events.unread_count(bia, every).await.unwrap(), 1, "another user's stay unread");
}

/// Another user's event can be neither read, nor listed, nor marked.
pub async fn another_users_event_is_invisible(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let theirs = anomaly(bia, 1);
    repos.events.record(std::slice::from_ref(&theirs), at(2)).await.unwrap();

    assert_eq!(repos.events.get(ana, theirs.id).await.unwrap(), None);
    assert!(!repos.events.mark_read(ana, theirs.id, at(3)).await.unwrap());
    assert!(!repos.events.mark_read(ana, EventId::new(), at(3)).await.unwrap());
    assert_eq!(repos.events.list(ana, &EventFilter::default(), PageRequest::first()).await.unwrap().total, 0);
    assert!(repos.events.after(Some(ana), 0, 10).await.unwrap().is_empty());
    assert_eq!(repos.events.mark_all_read(ana, at(3)).await.unwrap(), 0);
    assert_eq!(repos.events.get(bia, theirs.id).await.unwrap().unwrap().read_at, None);
}

/// An erasure removes the user's logged and queued events only, and the `seq` of an erased
/// event (even the log's last) is never given again.
pub async fn delete_of_erases_and_never_reuses_a_seq(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let kept = anomaly(bia, 1);
    repos.events.record(&[kept.clone(), anomaly(ana, 2), anomaly(ana, 3)], at(5)).await.unwrap();
    let top = repos.events.after(None, 0, 100).await.unwrap().last().unwrap().seq;
    repos.events.enqueue(&[anomaly(ana, 4)]).await.unwrap();

    assert_eq!(repos.events.delete_of(ana).await.unwrap(), 2);

    assert!(repos.events.after(Some(ana), 0, 100).await.unwrap().is_empty());
    assert_eq!(ids(&repos.events.after(None, 0, 100).await.unwrap()), vec![kept.id]);
    let later = repos.events.record(&[anomaly(bia, 6)], at(7)).await.unwrap();
    assert!(later[0].seq > top, "seq {} reuses an erased one (top was {top})", later[0].seq);
    assert_eq!(repos.events.delete_of(ana).await.unwrap(), 0);
}

/// Enqueueing an id twice is harmless.
pub async fn enqueue_is_idempotent(repos: &Repositories) {
    let event = anomaly(UserId::new(), 1);
    repos.events.enqueue(std::slice::from_ref(&event)).await.unwrap();
    repos.events.enqueue(&[event.clone(), anomaly(UserId::new(), 2)]).await.unwrap();
    let queued = repos.store.count("event_queue", &infrastructure::store::Query::all()).await.unwrap();
    assert_eq!(queued, 2);
}

/// A user who never chose has the defaults; choices are stored, replaced and erased.
pub async fn preferences_default_then_put_replace_and_delete(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    assert_eq!(repos.preferences.get(ana).await.unwrap(), NotificationPreferences::defaults(ana));

    let mut prefs = NotificationPreferences::defaults(ana);
    prefs.choose(EventType::OrderFilled, ChannelSet::of(&[Channel::InApp, Channel::Telegram]), at(1));
    repos.preferences.put(&prefs).await.unwrap();
    assert_eq!(repos.preferences.get(ana).await.unwrap(), prefs);
    prefs.choose(EventType::PaymentFailed, ChannelSet::empty(), at(2));
    repos.preferences.put(&prefs).await.unwrap();
    assert_eq!(repos.preferences.get(ana).await.unwrap(), prefs);
    assert!(!repos.preferences.get(ana).await.unwrap().allows(EventType::PaymentFailed, Channel::Email));
    assert_eq!(repos.preferences.get(bia).await.unwrap(), NotificationPreferences::defaults(bia));

    repos.preferences.delete_of(ana).await.unwrap();
    assert_eq!(repos.preferences.get(ana).await.unwrap(), NotificationPreferences::defaults(ana));
    repos.preferences.delete_of(ana).await.unwrap();
}
