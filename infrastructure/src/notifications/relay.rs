//! The outbox relay: moves the events that changes raised (stored in the changed aggregate's
//! outbox, in the same write) and the queued events into the users' event log.
//!
//! One pass, per collection holding outboxes: read the documents with waiting events (the
//! indexed `outbox_at`), [`EventRepository::record`] their events (ids already in the log are
//! ignored), then clear each document's outbox with [`DocumentStore::replace_same_version`]:
//! only if nobody wrote it since it was read, and without bumping its version, so the engine
//! holding the bot writes its next version undisturbed. A document written meanwhile keeps its
//! events (some already logged) for the next pass, where recording them again is a no-op. Then
//! the queue is drained the same way. Every race thus ends with each event in the log once.
//!
//! It runs as the scheduler workflow `relay_events` under its lease (one instance at a time),
//! every second, and at once when a write of this process nudges it ([`RelayNudge`]).

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use domain::notifications::{Event, EventRepository};
use domain::{Clock, RepoError};
use serde::Serialize;
use serde_json::Value;

use super::events::StoreEventRepository;
use super::metrics;
use crate::repositories::{
    RelayNudge, StoreBotRepository, StoreCredentialRepository, StoreOrderRepository, StoreSubscriptionRepository,
    StoreUserRepository, OUTBOX, OUTBOX_AT,
};
use crate::scheduler::FnWorkflow;
use crate::store::{doc_id, doc_version, Doc, DocumentStore, Query, ID};

/// Where a collection keeps its outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holder {
    /// As JSON text under `outbox`.
    Text,
    /// Inside the aggregate text under `bot` (its `outbox` member).
    InsideBot,
}

/// The collections whose documents carry an outbox.
const SOURCES: [(&str, Holder); 4] = [
    (StoreBotRepository::COLLECTION, Holder::InsideBot),
    (StoreOrderRepository::COLLECTION, Holder::Text),
    (StoreSubscriptionRepository::COLLECTION, Holder::Text),
    (StoreCredentialRepository::COLLECTION, Holder::Text),
];

/// Documents (or queued events) read per query.
const BATCH: u64 = 500;
/// Batches per collection in one pass, so one pass ends even while writers keep adding.
const ROUNDS: usize = 20;

/// What one pass did: the workflow's summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RelayReport {
    /// Events newly stored in the log.
    pub relayed: u64,
    /// Aggregates whose outbox was cleared.
    pub cleared: u64,
    /// Aggregates written meanwhile (or unreadable), left for the next pass.
    pub deferred: u64,
    /// Queued events moved.
    pub dequeued: u64,
    /// Events of deleted accounts, dropped.
    pub dropped: u64,
    /// Aggregates with waiting events plus queued events left after the pass.
    pub waiting: u64,
}

/// Moves outbox and queued events into the event log. See the module documentation.
#[derive(Debug, Clone)]
pub struct Relay {
    store: Arc<dyn DocumentStore>,
    events: StoreEventRepository,
    clock: Arc<dyn Clock>,
}

impl Relay {
    /// The relay over `store`, stamping `recorded_at` from `clock`.
    pub fn new(store: Arc<dyn DocumentStore>, clock: Arc<dyn Clock>) -> Self {
        Self { events: StoreEventRepository::new(store.clone()), store, clock }
    }

    /// One pass over every outbox and the queue; sets `pending{channel="relay"}` and counts the
    /// relayed events.
    pub async fn run_once(&self) -> Result<RelayReport, RepoError> {
        let mut report = RelayReport::default();
        for (coll, holder) in SOURCES {
            for _ in 0..ROUNDS {
                let (read, cleared) = self.outboxes(coll, holder, &mut report).await?;
                if read < BATCH || cleared == 0 {
                    break;
                }
            }
        }
        for _ in 0..ROUNDS {
            let queued = self.events.queued(BATCH).await?;
            if queued.is_empty() {
                break;
            }
            report.relayed += self.record(&queued, &mut report).await?;
            let ids: Vec<_> = queued.iter().map(|e| e.id).collect();
            self.events.dequeue(&ids).await?;
            report.dequeued += ids.len() as u64;
            if (queued.len() as u64) < BATCH {
                break;
            }
        }
        report.waiting = self.waiting().await?;
        metrics::pending("relay", report.waiting);
        Ok(report)
    }

    /// Records the events of one batch of `coll`'s documents with waiting events and clears
    /// their outboxes; how many documents it read and cleared.
    async fn outboxes(&self, coll: &str, holder: Holder, report: &mut RelayReport) -> Result<(u64, u64), RepoError> {
        let query = Query::all().gte(OUTBOX_AT, 0).asc(OUTBOX_AT).asc(ID).limit(BATCH);
        let docs = self.store.find(coll, &query).await?;
        let mut waiting: Vec<(Doc, u64, Vec<Event>)> = Vec::with_capacity(docs.len());
        for doc in &docs {
            match take_outbox(doc, holder) {
                Ok((cleared, events)) => waiting.push((cleared, doc_version(doc)?, events)),
                Err(err) => {
                    report.deferred += 1;
                    tracing::error!(collection = coll, id = ?doc.get(ID), error = %err, "an outbox cannot be read");
                }
            }
        }
        let all: Vec<Event> = waiting.iter().flat_map(|(_, _, events)| events.iter().cloned()).collect();
        report.relayed += self.record(&all, report).await?;
        let mut cleared = 0;
        for (doc, version, _) in waiting {
            if self.store.replace_same_version(coll, doc, version).await? {
                cleared += 1;
            } else {
                report.deferred += 1;
            }
        }
        report.cleared += cleared;
        Ok((docs.len() as u64, cleared))
    }

    async fn record(&self, events: &[Event], report: &mut RelayReport) -> Result<u64, RepoError> {
        let deleted = self.deleted_users(events).await?;
        let (dropped, kept): (Vec<&Event>, Vec<&Event>) =
            events.iter().partition(|e| deleted.contains(&e.user_id.to_string()));
        report.dropped += dropped.len() as u64;
        if kept.is_empty() {
            return Ok(0);
        }
        let kept: Vec<Event> = kept.into_iter().cloned().collect();
        let stored = self.events.record(&kept, self.clock.now()).await?.len() as u64;
        metrics::RELAYED.inc_by(stored);
        Ok(stored)
    }

    /// The owners of `events` whose account is deleted: their events are erased with the
    /// account, so none enters the log afterwards (those the deletion's teardown raised included).
    async fn deleted_users(&self, events: &[Event]) -> Result<HashSet<String>, RepoError> {
        let owners: BTreeSet<String> = events.iter().map(|e| e.user_id.to_string()).collect();
        let owners: Vec<String> = owners.into_iter().collect();
        let mut deleted = HashSet::new();
        for chunk in owners.chunks(200) {
            let query = Query::all().is_in(ID, chunk.iter().cloned()).eq("status", "deleted");
            for doc in self.store.find(StoreUserRepository::COLLECTION, &query).await? {
                deleted.insert(doc_id(&doc)?.to_owned());
            }
        }
        Ok(deleted)
    }

    /// Aggregates with waiting events plus queued events.
    pub async fn waiting(&self) -> Result<u64, RepoError> {
        let mut total = self.events.queue_depth().await?;
        for (coll, _) in SOURCES {
            total += self.store.count(coll, &Query::all().gte(OUTBOX_AT, 0)).await?;
        }
        Ok(total)
    }
}

/// The document without its outbox, and the outbox's events.
fn take_outbox(doc: &Doc, holder: Holder) -> Result<(Doc, Vec<Event>), String> {
    let mut cleared = doc.clone();
    cleared.remove(OUTBOX_AT);
    let events = match holder {
        Holder::Text => match cleared.remove(OUTBOX) {
            Some(Value::String(text)) => serde_json::from_str(&text).map_err(|e| e.to_string())?,
            Some(Value::Null) | None => Vec::new(),
            Some(other) => serde_json::from_value(other).map_err(|e| e.to_string())?,
        },
        Holder::InsideBot => {
            let (mut bot, as_text) = match cleared.remove("bot") {
                Some(Value::String(text)) => (serde_json::from_str::<Value>(&text).map_err(|e| e.to_string())?, true),
                Some(tree) => (tree, false),
                None => return Err("a bot document without its aggregate".into()),
            };
            let outbox = bot.as_object_mut().and_then(|b| b.remove(OUTBOX)).unwrap_or(Value::Null);
            let events = if outbox.is_null() {
                Vec::new()
            } else {
                serde_json::from_value(outbox).map_err(|e| e.to_string())?
            };
            cleared.insert("bot".to_owned(), if as_text { Value::String(bot.to_string()) } else { bot });
            events
        }
    };
    Ok((cleared, events))
}

/// `relay_events`: one relay pass. Quiet: it runs every second.
pub fn relay_events(relay: Arc<Relay>) -> FnWorkflow {
    FnWorkflow::new("relay_events", move || {
        let relay = relay.clone();
        async move { Ok(serde_json::to_string(&relay.run_once().await?).unwrap_or_default()) }
    })
    .quiet()
}

/// Runs the workflow `relay_events` through `run_now` whenever `nudge` wakes, until the returned
/// task is aborted. A nudge that finds a pass in progress (here or on another instance) waits
/// for that pass's end and the next tick rather than piling up.
pub fn on_nudge<F, Fut>(nudge: RelayNudge, run_now: F) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        loop {
            nudge.notified().await;
            // Lets the writes of one burst (an engine cycle) gather into one pass.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            run_now().await;
        }
    })
}
