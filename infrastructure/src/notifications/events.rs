//! [`EventRepository`] over a [`DocumentStore`]: the users' event log (collection `events`), the
//! queue of events no aggregate carries (`event_queue`), and the log's high-water mark
//! (`event_log`).
//!
//! `seq` is given by [`EventRepository::record`], which only the relay calls (under its lease):
//! the next `seq` is one above both the highest stored and the high-water mark, and the unique
//! index `events_seq` refuses a `seq` another writer took meanwhile (two relays overlap at a lease
//! handover), which then reads the maximum again. So a stored `seq` is always above every `seq`
//! visible when it was stored, and a reader that saw `seq` misses nothing by asking for what came
//! after it. [`EventRepository::delete_of`] raises the high-water mark before erasing, so the
//! `seq` of an erased event is never given again.

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::{Event, EventFilter, EventRepository, EventType, StoredEvent};
use domain::shared::ids::{EventId, UserId};
use domain::{Page, PageRequest, RepoError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::repositories::codec::{self, millis, millis_opt, FIRST_VERSION};
use crate::repositories::RelayNudge;
use crate::store::{Doc, DocumentStore, IndexSpec, Query, ID, VERSION};

/// The index of a user's events by read state (unread ones: `read_at` null), newest by `seq`.
const USER_READ: &str = "events_user_read";

/// The stored form of a [`StoredEvent`]: the queried fields at the top level, the event whole as
/// its wire JSON text (nothing queries inside it).
#[derive(Serialize, Deserialize)]
struct EventDocument {
    #[serde(rename = "_id")]
    id: EventId,
    user_id: UserId,
    #[serde(rename = "type")]
    event_type: EventType,
    seq: u64,
    #[serde(with = "millis")]
    at: OffsetDateTime,
    #[serde(with = "millis")]
    recorded_at: OffsetDateTime,
    #[serde(with = "millis_opt")]
    read_at: Option<OffsetDateTime>,
    event: String,
}

pub(super) fn event_text(event: &Event) -> Result<String, RepoError> {
    serde_json::to_string(event).map_err(RepoError::unavailable)
}

pub(super) fn ids_of(docs: &[Doc]) -> Result<Vec<String>, RepoError> {
    docs.iter().map(|d| crate::store::doc_id(d).map(str::to_owned)).collect()
}

pub(super) fn parse_event(coll: &str, text: &str) -> Result<Event, RepoError> {
    codec::from_json(coll, text)
}

/// The users' event log in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreEventRepository {
    pub(super) store: Arc<dyn DocumentStore>,
    /// Woken after events are queued, so the relay moves them at once.
    nudge: RelayNudge,
}

impl StoreEventRepository {
    /// The log.
    pub const COLLECTION: &'static str = "events";
    /// Its indexes: the log's order, a user's events by `seq` (lists, the live stream) and a
    /// user's unread events by `seq` (the unread count and list).
    pub const INDEXES: &'static [IndexSpec] = &[
        IndexSpec::unique("events_seq", &["seq"]),
        IndexSpec::plain("events_user_seq", &["user_id", "seq"]),
        IndexSpec::plain(USER_READ, &["user_id", "read_at", "seq"]),
        // The backoffice's cancellations per day (platform metrics): one type over a time range.
        IndexSpec::plain("events_type_at", &["type", "at"]),
    ];
    /// Events waiting for the relay that no aggregate carries.
    pub const QUEUE: &'static str = "event_queue";
    /// The queue's indexes: the relay drains it in the order events were queued; an erasure
    /// finds a user's.
    pub const QUEUE_INDEXES: &'static [IndexSpec] =
        &[IndexSpec::plain("event_queue_order", &["order"]), IndexSpec::plain("event_queue_user", &["user_id"])];
    /// The log's high-water mark (one document).
    pub const MARK: &'static str = "event_log";
    const MARK_ID: &'static str = "seq";

    /// The repository over `store` (see [`crate::repositories::Repositories::on`] for the indexes).
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store, nudge: RelayNudge::default() }
    }

    /// The same, waking `nudge` after each queueing, as an aggregate's write carrying events does.
    pub fn with_nudge(self, nudge: RelayNudge) -> Self {
        Self { nudge, ..self }
    }

    fn of(user: UserId) -> Query {
        Query::all().eq("user_id", user.to_string())
    }

    fn stored(doc: EventDocument) -> Result<StoredEvent, RepoError> {
        let event = parse_event(Self::COLLECTION, &doc.event)?;
        Ok(StoredEvent { event, seq: doc.seq, read_at: doc.read_at })
    }

    /// The high-water mark and its document's version (0: none stored yet).
    async fn mark(&self) -> Result<(u64, u64), RepoError> {
        let doc = self.store.get(Self::MARK, Self::MARK_ID).await?;
        let read = |d: &Doc, key: &str| d.get(key).and_then(Value::as_u64).unwrap_or(0);
        Ok(doc.map_or((0, 0), |d| (read(&d, "high"), read(&d, VERSION))))
    }

    /// The highest `seq` stored, 0 for an empty log.
    async fn highest(&self) -> Result<u64, RepoError> {
        let top = self.store.find(Self::COLLECTION, &Query::all().gte("seq", 0).desc("seq").limit(1)).await?;
        Ok(top.first().and_then(|d| d.get("seq")).and_then(Value::as_u64).unwrap_or(0))
    }

    /// The `seq` the next stored event takes. The log's top is read before the mark, so an
    /// erasure (which raises the mark, then erases) is seen by one of the two reads.
    async fn next_seq(&self) -> Result<u64, RepoError> {
        let highest = self.highest().await?;
        let (mark, _) = self.mark().await?;
        Ok(highest.max(mark) + 1)
    }

    /// Raises the high-water mark to the log's top (before an erasure).
    async fn raise_mark(&self) -> Result<(), RepoError> {
        for _ in 0..16 {
            let highest = self.highest().await?;
            let (mark, version) = self.mark().await?;
            if mark >= highest {
                return Ok(());
            }
            let mut doc = Doc::new();
            doc.insert(ID.to_owned(), Self::MARK_ID.into());
            doc.insert("high".to_owned(), highest.into());
            let written = if version == 0 {
                doc.insert(VERSION.to_owned(), FIRST_VERSION.into());
                self.store.insert(Self::MARK, doc).await
            } else {
                self.store.replace(Self::MARK, doc, version).await.map(drop)
            };
            match written {
                Ok(()) => return Ok(()),
                Err(RepoError::Conflict | RepoError::Duplicate { .. }) => continue,
                Err(err) => return Err(err),
            }
        }
        Err(RepoError::Conflict)
    }

    /// Which of `ids` the log holds already.
    async fn recorded(&self, ids: &[String]) -> Result<Vec<String>, RepoError> {
        let mut found = Vec::new();
        for chunk in ids.chunks(200) {
            let docs = self.store.find(Self::COLLECTION, &Query::all().is_in(ID, chunk.iter().cloned())).await?;
            found.extend(docs.iter().filter_map(|d| d.get(ID).and_then(Value::as_str).map(str::to_owned)));
        }
        Ok(found)
    }

    /// The stored form of `event` at `seq`, version 1.
    fn document(event: &Event, seq: u64, now: OffsetDateTime) -> Result<Doc, RepoError> {
        let mut doc = codec::to_doc(&EventDocument {
            id: event.id,
            user_id: event.user_id,
            event_type: event.event_type(),
            seq,
            at: event.at,
            recorded_at: now,
            read_at: None,
            event: event_text(event)?,
        })?;
        doc.insert(VERSION.to_owned(), FIRST_VERSION.into());
        Ok(doc)
    }

    /// Stores `event` with the next free `seq` from `seq` on; `None` when its id is stored already.
    async fn append(&self, event: &Event, seq: &mut u64, now: OffsetDateTime) -> Result<Option<u64>, RepoError> {
        for _ in 0..64 {
            match self.store.insert(Self::COLLECTION, Self::document(event, *seq, now)?).await {
                Ok(()) => {
                    *seq += 1;
                    return Ok(Some(*seq - 1));
                }
                Err(RepoError::Duplicate { index }) if index == ID => return Ok(None),
                // Another relay took this `seq` (a lease handover): read the top again.
                Err(RepoError::Duplicate { .. }) => *seq = self.next_seq().await?.max(*seq + 1),
                Err(err) => return Err(err),
            }
        }
        Err(RepoError::Conflict)
    }
}

#[async_trait]
impl EventRepository for StoreEventRepository {
    async fn enqueue(&self, events: &[Event]) -> Result<(), RepoError> {
        self.enqueue_all(events).await?;
        if !events.is_empty() {
            self.nudge.nudge();
        }
        Ok(())
    }

    async fn record(&self, events: &[Event], now: OffsetDateTime) -> Result<Vec<StoredEvent>, RepoError> {
        let ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
        let known = self.recorded(&ids).await?;
        let mut fresh: Vec<&Event> = events.iter().filter(|e| !known.contains(&e.id.to_string())).collect();
        // An event raised twice in one batch (two copies of one outbox) is stored once.
        let mut seen = std::collections::HashSet::new();
        fresh.retain(|e| seen.insert(e.id));
        if fresh.is_empty() {
            return Ok(Vec::new());
        }
        let mut seq = self.next_seq().await?;
        // The common case, one relay and new ids, is one write; after a refusal (an id or a
        // `seq` another relay stored meanwhile) the rest go one by one.
        let docs = fresh.iter().enumerate().map(|(i, e)| Self::document(e, seq + i as u64, now));
        let (inserted, outcome) = self.store.insert_many(Self::COLLECTION, docs.collect::<Result<_, _>>()?).await;
        let inserted = usize::try_from(inserted).unwrap_or(usize::MAX).min(fresh.len());
        let mut stored: Vec<StoredEvent> = fresh[..inserted]
            .iter()
            .enumerate()
            .map(|(i, e)| StoredEvent { event: (*e).clone(), seq: seq + i as u64, read_at: None })
            .collect();
        match outcome {
            Ok(()) => return Ok(stored),
            Err(RepoError::Duplicate { .. }) => seq += inserted as u64,
            Err(err) => return Err(err),
        }
        for &event in &fresh[inserted..] {
            if let Some(seq) = self.append(event, &mut seq, now).await? {
                stored.push(StoredEvent { event: event.clone(), seq, read_at: None });
            }
        }
        Ok(stored)
    }

    async fn list(
        &self,
        user: UserId,
        filter: &EventFilter,
        page: PageRequest,
    ) -> Result<Page<StoredEvent>, RepoError> {
        let mut query = Self::of(user);
        if filter.unread_only {
            // Hinted: SQLite would as soon read the user's events of every state (see `unread_count`).
            query = query.eq("read_at", Value::Null).hint(USER_READ);
        }
        if let Some(types) = &filter.types {
            query = query.is_in("type", types.iter().map(|t| t.as_str()));
        }
        let query = query.desc("seq");
        let page = codec::page::<EventDocument, _>(&*self.store, Self::COLLECTION, query, page, Self::stored).await?;
        let items = page.items.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, total: page.total, offset: page.offset, limit: page.limit })
    }

    async fn get(&self, user: UserId, id: EventId) -> Result<Option<StoredEvent>, RepoError> {
        let found: Option<EventDocument> = codec::get(&*self.store, Self::COLLECTION, &id.to_string()).await?;
        found.filter(|d| d.user_id == user).map(Self::stored).transpose()
    }

    async fn unread_count(&self, user: UserId, types: &[EventType]) -> Result<u64, RepoError> {
        // Hinted: with no statistics SQLite reads through the (type, at) index, every unread
        // event of the type, anybody's.
        let query =
            Self::of(user).eq("read_at", Value::Null).is_in("type", types.iter().map(|t| t.as_str())).hint(USER_READ);
        self.store.count(Self::COLLECTION, &query).await
    }

    async fn mark_read(&self, user: UserId, id: EventId, at: OffsetDateTime) -> Result<bool, RepoError> {
        if self.get(user, id).await?.is_none() {
            return Ok(false);
        }
        let query = Self::of(user).eq(ID, id.to_string());
        codec::stamp_unset(&*self.store, Self::COLLECTION, query, "read_at", at).await?;
        Ok(true)
    }

    async fn mark_all_read(&self, user: UserId, at: OffsetDateTime) -> Result<u64, RepoError> {
        codec::stamp_unset(&*self.store, Self::COLLECTION, Self::of(user), "read_at", at).await
    }

    async fn after(&self, user: Option<UserId>, after: u64, limit: u64) -> Result<Vec<StoredEvent>, RepoError> {
        let query = user.map_or_else(Query::all, Self::of).gt("seq", after).asc("seq").limit(limit);
        let docs: Vec<EventDocument> = codec::find_all(&*self.store, Self::COLLECTION, &query).await?;
        docs.into_iter().map(Self::stored).collect()
    }

    async fn delete_of(&self, user: UserId) -> Result<u64, RepoError> {
        self.raise_mark().await?;
        let mut erased = 0;
        loop {
            let docs = self.store.find(Self::COLLECTION, &Self::of(user).asc("seq").limit(500)).await?;
            if docs.is_empty() {
                break;
            }
            erased += self.store.delete_ids(Self::COLLECTION, &ids_of(&docs)?).await?;
        }
        self.erase_queued(user).await?;
        Ok(erased)
    }
}
