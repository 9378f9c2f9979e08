//! One in-memory collection of the embedded store: documents by id plus its unique indexes.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use domain::RepoError;

use super::eval::{index_key, matches};
use crate::store::{Cond, Doc, IndexSpec, Order, Query, ID};

/// A unique index: index key -> id of the document holding it.
#[derive(Debug)]
struct UniqueIndex {
    spec: IndexSpec,
    ids: HashMap<String, String>,
}

/// Documents ordered by id, and the unique indexes over them.
#[derive(Debug, Default)]
pub(super) struct Collection {
    pub(super) docs: BTreeMap<String, Doc>,
    uniques: Vec<UniqueIndex>,
}

impl Collection {
    /// A collection of `docs` without indexes (as replayed from the journal).
    pub(super) fn with_docs(docs: BTreeMap<String, Doc>) -> Self {
        Self { docs, uniques: Vec::new() }
    }

    /// Adds a unique index unless one of that name exists. Errors: `Duplicate` when the current
    /// documents already violate it (the index is then not added).
    pub(super) fn add_unique(&mut self, spec: IndexSpec) -> Result<(), RepoError> {
        if self.uniques.iter().any(|u| u.spec.name == spec.name) {
            return Ok(());
        }
        let mut ids = HashMap::with_capacity(self.docs.len());
        for (id, doc) in &self.docs {
            if ids.insert(index_key(doc, spec.fields), id.clone()).is_some() {
                return Err(RepoError::Duplicate { index: spec.name.to_owned() });
            }
        }
        self.uniques.push(UniqueIndex { spec, ids });
        Ok(())
    }

    /// Checks that `doc`, stored under `id` (possibly replacing the current document with that
    /// id), would violate no unique index.
    pub(super) fn check_unique(&self, id: &str, doc: &Doc) -> Result<(), RepoError> {
        for unique in &self.uniques {
            match unique.ids.get(&index_key(doc, unique.spec.fields)) {
                Some(holder) if holder != id => {
                    return Err(RepoError::Duplicate { index: unique.spec.name.to_owned() });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Stores `doc` under `id` (after [`Self::check_unique`]), replacing any document with that id.
    pub(super) fn put(&mut self, id: &str, doc: Doc) {
        self.unindex(id);
        for unique in &mut self.uniques {
            unique.ids.insert(index_key(&doc, unique.spec.fields), id.to_owned());
        }
        self.docs.insert(id.to_owned(), doc);
    }

    /// Removes the document with that id; whether there was one.
    pub(super) fn remove(&mut self, id: &str) -> bool {
        self.unindex(id);
        self.docs.remove(id).is_some()
    }

    /// The page of `query` read in id order, when its sort is by id ascending alone: the
    /// documents are kept in that order, so the scan starts after an `_id >`/`>=` bound (a reader
    /// paging by id, like the engine's) and stops once the page is full. `None` for other sorts.
    pub(super) fn page_by_id(&self, query: &Query) -> Option<Vec<Doc>> {
        let [key] = query.sort.as_slice() else { return None };
        if key.field != ID || key.order != Order::Asc {
            return None;
        }
        let mut start: Bound<&str> = Bound::Unbounded;
        for filter in query.filters.iter().filter(|f| f.field == ID) {
            start = match &filter.cond {
                Cond::Gt(serde_json::Value::String(id)) => Bound::Excluded(id.as_str()),
                Cond::Gte(serde_json::Value::String(id)) => Bound::Included(id.as_str()),
                _ => continue,
            };
        }
        let skip = usize::try_from(query.skip).unwrap_or(usize::MAX);
        let limit = query.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let hits = self.docs.range::<str, _>((start, Bound::Unbounded)).map(|(_, d)| d);
        Some(hits.filter(|d| matches(d, &query.filters)).skip(skip).take(limit).cloned().collect())
    }

    fn unindex(&mut self, id: &str) {
        if let Some(old) = self.docs.get(id) {
            for unique in &mut self.uniques {
                unique.ids.remove(&index_key(old, unique.spec.fields));
            }
        }
    }
}
