//! A small document-store abstraction with two engines: the embedded store (default: SQLite, one
//! database file or a private in-memory database) and MongoDB. Repositories are written once against
//! [`DocumentStore`] and so behave the same on both.
//!
//! Documents are JSON objects with a string `_id` and an integer `version`. Timestamps are stored as
//! i64 unix milliseconds and decimals as canonical strings: both engines then compare and sort them
//! identically, and no engine-specific type (Decimal128, dates) is needed.

use std::fmt::Debug;

use async_trait::async_trait;
use domain::RepoError;
use serde_json::Value;

pub mod migrate;
pub mod mongo;
mod query;
pub mod sqlite;

pub use query::{Cond, Filter, Order, Query, SortKey};

/// One stored document: a JSON object with `"_id"` (string) and `"version"` (integer).
pub type Doc = serde_json::Map<String, Value>;

/// The field holding a document's id.
pub const ID: &str = "_id";
/// The field holding a document's optimistic-concurrency version.
pub const VERSION: &str = "version";

/// An index of a collection. Unique indexes make writes fail with `RepoError::Duplicate { index: name }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    /// The index name reported in `Duplicate` errors (e.g. `users_email`).
    pub name: &'static str,
    /// The indexed (dot-path) fields, in order, all ascending.
    pub fields: &'static [&'static str],
    /// Whether two documents may share the same values of `fields`.
    pub unique: bool,
}

impl IndexSpec {
    /// A unique index.
    pub const fn unique(name: &'static str, fields: &'static [&'static str]) -> Self {
        Self { name, fields, unique: true }
    }

    /// A non-unique index, for speed only.
    pub const fn plain(name: &'static str, fields: &'static [&'static str]) -> Self {
        Self { name, fields, unique: false }
    }
}

/// A store of JSON documents grouped in collections, with MongoDB's semantics for ids, unique
/// indexes, comparisons and sorting. Every engine must pass the contract suite in `botfleet-tests`.
#[async_trait]
pub trait DocumentStore: Send + Sync + Debug {
    /// Creates the collection's indexes if missing (idempotent; call at start-up). Errors:
    /// `Duplicate` when existing documents already violate a unique index.
    async fn ensure_collection(&self, coll: &str, indexes: &[IndexSpec]) -> Result<(), RepoError>;

    /// Inserts `doc` as given. Errors: `Duplicate { index: "_id" }` when the id exists,
    /// `Duplicate { index }` when a unique index refuses it.
    async fn insert(&self, coll: &str, doc: Doc) -> Result<(), RepoError>;

    /// Inserts `docs` in order as one write where the engine can (one transaction on the
    /// embedded store, one ordered bulk insert on MongoDB), stopping at the first refusal (as
    /// [`Self::insert`] reports it). Returns how many were inserted, all of them before the
    /// refusal, and the outcome.
    async fn insert_many(&self, coll: &str, docs: Vec<Doc>) -> (u64, Result<(), RepoError>);

    /// The document with that id, if any.
    async fn get(&self, coll: &str, id: &str) -> Result<Option<Doc>, RepoError>;

    /// The documents matching every filter of `query`, sorted, then skipped and limited.
    async fn find(&self, coll: &str, query: &Query) -> Result<Vec<Doc>, RepoError>;

    /// [`Self::find`] with each document as its JSON text, for callers that decode straight into
    /// their own types: an engine that stores text (the embedded store) hands it over without
    /// building a `Doc` first (the engine reads every running bot so, every minute).
    async fn find_json(&self, coll: &str, query: &Query) -> Result<Vec<String>, RepoError> {
        texts_of(&self.find(coll, query).await?)
    }

    /// How many documents match the filters of `query`; its sort, skip and limit are ignored, so
    /// the query of a page also counts the page's total.
    async fn count(&self, coll: &str, query: &Query) -> Result<u64, RepoError>;

    /// One page of `query` with the total count of its filters' matches: [`Self::find`] and
    /// [`Self::count`] in one call. Engines that can read both from one snapshot do so (the
    /// embedded store), so the total agrees with the items.
    async fn find_page(&self, coll: &str, query: &Query) -> Result<(Vec<Doc>, u64), RepoError> {
        let total = self.count(coll, query).await?;
        Ok((self.find(coll, query).await?, total))
    }

    /// [`Self::find_page`] with each document as its JSON text, for callers that decode straight
    /// into their own types: an engine that stores text (the embedded store) hands it over
    /// without building a `Doc` first.
    async fn find_page_json(&self, coll: &str, query: &Query) -> Result<(Vec<String>, u64), RepoError> {
        let (docs, total) = self.find_page(coll, query).await?;
        Ok((texts_of(&docs)?, total))
    }

    /// Replaces the whole document with `doc`'s id when its stored version equals `expected_version`.
    /// The stored document carries `expected_version + 1`, which is returned.
    /// Errors: `NotFound`, `Conflict` on another version, `Duplicate` from a unique index.
    async fn replace(&self, coll: &str, doc: Doc, expected_version: u64) -> Result<u64, RepoError>;

    /// Replaces the whole document with `doc`'s id when its stored version equals `version`,
    /// keeping that version: housekeeping that must not disturb an optimistic writer holding the
    /// document (the relay clearing an outbox it moved: bumping the version would make the
    /// engine's next write of the bot fail). `doc` carries `version`. Returns `false`, changing
    /// nothing, when the document is missing or at another version.
    async fn replace_same_version(&self, coll: &str, doc: Doc, version: u64) -> Result<bool, RepoError>;

    /// Deletes the document with that id; whether there was one.
    async fn delete(&self, coll: &str, id: &str) -> Result<bool, RepoError>;

    /// Deletes the documents with those ids as one write; how many there were.
    async fn delete_ids(&self, coll: &str, ids: &[String]) -> Result<u64, RepoError>;

    /// On every document matching the filters of `query`, sets the (dot-path) fields of `set` and
    /// increments `version`; returns how many documents changed. `set` must not name `_id` or
    /// `version`. Not atomic across documents (as in MongoDB): a `Duplicate` stops it midway.
    async fn update_many_set(&self, coll: &str, query: &Query, set: Doc) -> Result<u64, RepoError>;

    /// Checks that the store answers.
    async fn ping(&self) -> Result<(), RepoError>;

    /// The key fields of each of the collection's indexes as created by
    /// [`Self::ensure_collection`] (the primary key on `_id` not included), sorted; empty for an
    /// unknown collection.
    async fn index_keys(&self, coll: &str) -> Result<Vec<Vec<String>>, RepoError>;
}

/// The id of `doc`, which must be a string.
pub(crate) fn doc_id(doc: &Doc) -> Result<&str, RepoError> {
    doc.get(ID).and_then(Value::as_str).ok_or_else(|| malformed("a document has no string `_id`"))
}

/// The version of `doc`, which must be a non-negative integer.
pub(crate) fn doc_version(doc: &Doc) -> Result<u64, RepoError> {
    doc.get(VERSION).and_then(Value::as_u64).ok_or_else(|| malformed("a document has no integer `version`"))
}

/// Refuses a `set` that would touch the id or the version.
pub(crate) fn check_set(set: &Doc) -> Result<(), RepoError> {
    match set.keys().find(|k| *k == ID || *k == VERSION || k.starts_with("_id.")) {
        Some(key) => Err(malformed(format!("update_many_set may not set `{key}`"))),
        None => Ok(()),
    }
}

/// Documents as their JSON texts (the default of the `*_json` reads of [`DocumentStore`]).
fn texts_of(docs: &[Doc]) -> Result<Vec<String>, RepoError> {
    docs.iter().map(|doc| serde_json::to_string(doc).map_err(|e| malformed(e.to_string()))).collect()
}

/// A caller bug or corrupt data: reported as `Unavailable`, the only variant for failures.
pub(crate) fn malformed(message: impl Into<String>) -> RepoError {
    RepoError::unavailable(anyhow::anyhow!(message.into()))
}
