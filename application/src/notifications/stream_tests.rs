//! Tests of the live stream over a mocked event log whose events tests append.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::notifications::{AnomalyData, Event, EventPayload, MockEventRepository, StoredEvent};
use domain::shared::ids::UserId;
use domain::Page;
use futures::StreamExt as _;
use time::macros::datetime;

use super::*;

type Log = Arc<Mutex<Vec<StoredEvent>>>;

fn anomaly(user: UserId, seq: u64) -> StoredEvent {
    let data = AnomalyData {
        exchange: domain::exchange::ExchangeId::Binance,
        symbol: "BTC-USDT".parse().unwrap(),
        description: format!("gap {seq}"),
    };
    let event = Event::new(user, EventPayload::MarketAnomaly(data), datetime!(2026-12-04 10:00 UTC));
    StoredEvent { event, seq, read_at: None }
}

/// A log answering `after` and `list` (newest first) from `log`, for any user.
fn repo(log: &Log) -> MockEventRepository {
    let mut repo = MockEventRepository::new();
    let after_log = log.clone();
    repo.expect_after().returning(move |user, after, limit| {
        let log = after_log.lock().unwrap();
        let mine = log.iter().filter(|e| Some(e.event.user_id) == user && e.seq > after);
        Ok(mine.take(limit as usize).cloned().collect())
    });
    let list_log = log.clone();
    repo.expect_list().returning(move |user, _, page| {
        let log = list_log.lock().unwrap();
        let items: Vec<_> =
            log.iter().rev().filter(|e| e.event.user_id == user).take(page.limit() as usize).cloned().collect();
        Ok(Page { total: items.len() as u64, items, offset: 0, limit: page.limit() })
    });
    repo
}

fn config() -> StreamConfig {
    StreamConfig {
        poll_interval: Duration::from_secs(60),
        heartbeat: Duration::from_secs(60),
        batch: 2,
        max_per_user: 2,
    }
}

async fn next_event(stream: &mut (impl Stream<Item = StreamItem> + Unpin)) -> u64 {
    match tokio::time::timeout(Duration::from_secs(5), stream.next()).await.unwrap().unwrap() {
        StreamItem::Event(e) => e.seq,
        StreamItem::Heartbeat => panic!("a heartbeat instead of an event"),
    }
}

#[tokio::test]
async fn resumes_after_the_last_seen_seq_in_order_across_batches() {
    let (user, other) = (UserId::new(), UserId::new());
    let log: Log = Arc::new(Mutex::new(vec![
        anomaly(user, 1),
        anomaly(other, 2),
        anomaly(user, 3),
        anomaly(user, 4),
        anomaly(user, 5),
    ]));
    let streams = EventStreams::new(Arc::new(repo(&log)), config());

    let mut stream = Box::pin(streams.open(user, Some(1)).await.unwrap());

    assert_eq!(
        [next_event(&mut stream).await, next_event(&mut stream).await, next_event(&mut stream).await],
        [3, 4, 5]
    );
}

#[tokio::test]
async fn without_last_seen_it_starts_after_the_newest_and_a_nudge_wakes_it() {
    let user = UserId::new();
    let log: Log = Arc::new(Mutex::new(vec![anomaly(user, 1), anomaly(user, 2)]));
    let streams = Arc::new(EventStreams::new(Arc::new(repo(&log)), config()));
    let mut stream = Box::pin(streams.open(user, None).await.unwrap());

    let appender = {
        let (log, streams) = (log.clone(), streams.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            log.lock().unwrap().push(anomaly(user, 7));
            streams.nudge();
        })
    };

    // The poll interval is a minute: only the nudge can deliver within the timeout.
    assert_eq!(next_event(&mut stream).await, 7);
    appender.await.unwrap();
}

#[tokio::test]
async fn an_idle_stream_sends_heartbeats() {
    let user = UserId::new();
    let log: Log = Arc::default();
    let config = StreamConfig { heartbeat: Duration::from_millis(50), ..config() };
    let streams = EventStreams::new(Arc::new(repo(&log)), config);
    let mut stream = Box::pin(streams.open(user, Some(0)).await.unwrap());

    let item = tokio::time::timeout(Duration::from_secs(5), stream.next()).await.unwrap();

    assert_eq!(item, Some(StreamItem::Heartbeat));
}

#[tokio::test]
async fn a_user_holds_at_most_max_per_user_streams_and_a_dropped_one_frees_its_slot() {
    let user = UserId::new();
    let log: Log = Arc::default();
    let streams = EventStreams::new(Arc::new(repo(&log)), config());

    let first = streams.open(user, Some(0)).await.unwrap();
    let _second = streams.open(user, Some(0)).await.unwrap();
    assert!(matches!(streams.open(user, Some(0)).await, Err(StreamError::TooMany { limit: 2 })));
    assert!(streams.open(UserId::new(), Some(0)).await.is_ok(), "the limit is per user");

    drop(first);
    assert_eq!(streams.open_count(user), 1);
    assert!(streams.open(user, Some(0)).await.is_ok());
}
