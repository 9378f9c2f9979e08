//! The embedded document store, botfleet's default: collections in memory behind one lock,
//! persisted to an append-only journal in a data directory (or not at all, for `:memory:`).
//!
//! Writes validate, apply and journal under the write lock, so the journal's order is the order of
//! the writes; reads only take the read lock. No lock is held across an `.await`. Queries scan the
//! collection (indexes are only used for uniqueness), which suits the embedded store's scale; a
//! query sorted by id alone reads in id order from its `_id` bound and stops when its page is full.
//! Documents are held as compact JSON text and parsed when read (see `collection`).

mod collection;
mod eval;
mod journal;
mod packed;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};

use async_trait::async_trait;
use domain::RepoError;

use self::collection::Collection;
use self::eval::set_path;
use self::journal::Journal;
pub use self::journal::{JOURNAL_FILE, LOCK_FILE};
use super::{check_set, doc_id, doc_version, Doc, DocumentStore, IndexSpec, Query, VERSION};

/// How the embedded store persists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmbeddedOptions {
    /// `fsync` the journal after every write: survives power loss, at the cost of write latency.
    /// Without it a write survives a process crash but may be lost with the machine.
    pub fsync: bool,
}

/// The embedded [`DocumentStore`]. Dropping it releases the data directory's lock.
pub struct EmbeddedStore {
    dir: Option<PathBuf>,
    inner: RwLock<Inner>,
}

struct Inner {
    colls: HashMap<String, Collection>,
    journal: Option<Journal>,
}

/// The journal lines of one write operation; nothing is recorded when purely in memory.
struct Pending {
    persist: bool,
    lines: String,
}

impl Pending {
    fn put(&mut self, coll: &str, doc: &Doc) {
        if self.persist {
            self.lines.push_str(&journal::put_line(coll, doc));
        }
    }

    fn del(&mut self, coll: &str, id: &str) {
        if self.persist {
            self.lines.push_str(&journal::del_line(coll, id));
        }
    }
}

impl EmbeddedStore {
    /// Opens the store persisted in `data_dir` (created if missing), or a purely in-memory one for
    /// `None`. Errors when the directory is locked by another process or its journal is corrupt.
    pub fn open(data_dir: Option<&Path>) -> anyhow::Result<Self> {
        Self::open_with(data_dir, EmbeddedOptions::default())
    }

    /// [`Self::open`] with options.
    pub fn open_with(data_dir: Option<&Path>, options: EmbeddedOptions) -> anyhow::Result<Self> {
        let (journal, colls) = match data_dir {
            Some(dir) => {
                let (journal, docs) = Journal::open(dir, options.fsync)?;
                let colls = docs
                    .into_iter()
                    .map(|(name, docs)| Ok((name, Collection::with_docs(docs)?)))
                    .collect::<Result<_, RepoError>>()?;
                (Some(journal), colls)
            }
            None => (None, HashMap::new()),
        };
        let inner = RwLock::new(Inner { colls, journal });
        Ok(Self { dir: data_dir.map(Path::to_path_buf), inner })
    }

    /// A purely in-memory store.
    pub fn in_memory() -> Self {
        Self { dir: None, inner: RwLock::new(Inner { colls: HashMap::new(), journal: None }) }
    }

    /// The data directory, when persistent.
    pub fn data_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn read<T>(&self, f: impl FnOnce(&HashMap<String, Collection>) -> T) -> T {
        f(&self.inner.read().unwrap_or_else(PoisonError::into_inner).colls)
    }

    /// Runs one write operation and journals what it changed, even when it fails midway.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut HashMap<String, Collection>, &mut Pending) -> Result<T, RepoError>,
    ) -> Result<T, RepoError> {
        let mut guard = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        let Inner { colls, journal } = &mut *guard;
        if let Some(journal) = journal.as_ref() {
            journal.check()?;
        }
        let mut pending = Pending { persist: journal.is_some(), lines: String::new() };
        let outcome = f(colls, &mut pending);
        if let Some(journal) = journal.as_mut() {
            journal.append(&pending.lines)?;
        }
        outcome
    }
}

impl fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedStore").field("data_dir", &self.dir).finish_non_exhaustive()
    }
}

#[async_trait]
impl DocumentStore for EmbeddedStore {
    async fn ensure_collection(&self, coll: &str, indexes: &[IndexSpec]) -> Result<(), RepoError> {
        self.write(|colls, _| {
            let collection = colls.entry(coll.to_owned()).or_default();
            indexes.iter().filter(|spec| spec.unique).try_for_each(|spec| collection.add_unique(*spec))
        })
    }

    async fn insert(&self, coll: &str, doc: Doc) -> Result<(), RepoError> {
        let id = doc_id(&doc)?.to_owned();
        doc_version(&doc)?;
        self.write(|colls, pending| {
            let collection = colls.entry(coll.to_owned()).or_default();
            if collection.contains(&id) {
                return Err(RepoError::Duplicate { index: super::ID.to_owned() });
            }
            collection.check_unique(&id, &doc)?;
            collection.put(&id, &doc)?;
            pending.put(coll, &doc);
            Ok(())
        })
    }

    async fn get(&self, coll: &str, id: &str) -> Result<Option<Doc>, RepoError> {
        self.read(|colls| colls.get(coll).map_or(Ok(None), |c| c.get(id)))
    }

    async fn find(&self, coll: &str, query: &Query) -> Result<Vec<Doc>, RepoError> {
        self.read(|colls| colls.get(coll).map_or(Ok(Vec::new()), |c| c.find(query)))
    }

    async fn count(&self, coll: &str, query: &Query) -> Result<u64, RepoError> {
        let n = self.read(|colls| colls.get(coll).map_or(Ok(0), |c| c.count(&query.filters)))?;
        Ok(n as u64)
    }

    async fn replace(&self, coll: &str, mut doc: Doc, expected_version: u64) -> Result<u64, RepoError> {
        let id = doc_id(&doc)?.to_owned();
        let version = expected_version + 1;
        doc.insert(VERSION.to_owned(), version.into());
        self.write(|colls, pending| {
            let collection = colls.get_mut(coll).ok_or(RepoError::NotFound)?;
            let stored = collection.get(&id)?.ok_or(RepoError::NotFound)?;
            if doc_version(&stored)? != expected_version {
                return Err(RepoError::Conflict);
            }
            collection.check_unique(&id, &doc)?;
            collection.put(&id, &doc)?;
            pending.put(coll, &doc);
            Ok(version)
        })
    }

    async fn delete(&self, coll: &str, id: &str) -> Result<bool, RepoError> {
        self.write(|colls, pending| {
            let removed = match colls.get_mut(coll) {
                Some(collection) => collection.remove(id)?,
                None => false,
            };
            if removed {
                pending.del(coll, id);
            }
            Ok(removed)
        })
    }

    async fn update_many_set(&self, coll: &str, query: &Query, set: Doc) -> Result<u64, RepoError> {
        check_set(&set)?;
        self.write(|colls, pending| {
            let Some(collection) = colls.get_mut(coll) else { return Ok(0) };
            let hits = collection.matching(&query.filters)?;
            let mut changed = 0;
            for mut doc in hits {
                let id = doc_id(&doc)?.to_owned();
                for (path, value) in &set {
                    set_path(&mut doc, path, value.clone());
                }
                let version = doc.get(VERSION).and_then(serde_json::Value::as_u64).unwrap_or(0) + 1;
                doc.insert(VERSION.to_owned(), version.into());
                collection.check_unique(&id, &doc)?;
                collection.put(&id, &doc)?;
                pending.put(coll, &doc);
                changed += 1;
            }
            Ok(changed)
        })
    }

    async fn ping(&self) -> Result<(), RepoError> {
        let guard = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        guard.journal.as_ref().map_or(Ok(()), Journal::check)
    }
}
