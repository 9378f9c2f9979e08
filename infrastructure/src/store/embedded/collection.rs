//! One in-memory collection of the embedded store: documents by id, each kept as its compact JSON
//! text, plus the collection's unique indexes.
//!
//! Documents are [`Packed`] text: reads return parsed copies anyway, so a document is parsed
//! when read instead of cloned; a scan reads the filtered members of the documents it walks and
//! parses the ones that match.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use domain::RepoError;

use super::eval::{compare_docs, index_key};
use super::packed::Packed;
use crate::store::{Cond, Doc, Filter, IndexSpec, Order, Query, ID};

/// A unique index: index key -> id of the document holding it.
#[derive(Debug)]
struct UniqueIndex {
    spec: IndexSpec,
    ids: HashMap<String, String>,
}

/// Documents ordered by id, and the unique indexes over them.
#[derive(Debug, Default)]
pub(super) struct Collection {
    docs: BTreeMap<String, Packed>,
    uniques: Vec<UniqueIndex>,
}

impl Collection {
    /// A collection of `docs` without indexes (as replayed from the journal).
    pub(super) fn with_docs(docs: BTreeMap<String, Doc>) -> Result<Self, RepoError> {
        let docs = docs.into_iter().map(|(id, doc)| Ok((id, Packed::pack(&doc)?))).collect::<Result<_, RepoError>>()?;
        Ok(Self { docs, uniques: Vec::new() })
    }

    /// Adds a unique index unless one of that name exists. Errors: `Duplicate` when the current
    /// documents already violate it (the index is then not added).
    pub(super) fn add_unique(&mut self, spec: IndexSpec) -> Result<(), RepoError> {
        if self.uniques.iter().any(|u| u.spec.name == spec.name) {
            return Ok(());
        }
        let mut ids = HashMap::with_capacity(self.docs.len());
        for (id, packed) in &self.docs {
            if ids.insert(index_key(&packed.unpack()?, spec.fields), id.clone()).is_some() {
                return Err(RepoError::Duplicate { index: spec.name.to_owned() });
            }
        }
        self.uniques.push(UniqueIndex { spec, ids });
        Ok(())
    }

    /// Whether a document has that id.
    pub(super) fn contains(&self, id: &str) -> bool {
        self.docs.contains_key(id)
    }

    /// A copy of the document with that id.
    pub(super) fn get(&self, id: &str) -> Result<Option<Doc>, RepoError> {
        self.docs.get(id).map(Packed::unpack).transpose()
    }

    /// The documents `query` selects, sorted, skipped and limited.
    pub(super) fn find(&self, query: &Query) -> Result<Vec<Doc>, RepoError> {
        if let Some(page) = self.page_by_id(query) {
            return page;
        }
        let mut hits = self.matching(&query.filters)?;
        hits.sort_by(|a, b| compare_docs(a, b, &query.sort));
        let skip = usize::try_from(query.skip).unwrap_or(usize::MAX);
        let limit = query.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        Ok(hits.into_iter().skip(skip).take(limit).collect())
    }

    /// Copies of every document satisfying `filters`, in id order.
    pub(super) fn matching(&self, filters: &[Filter]) -> Result<Vec<Doc>, RepoError> {
        let mut hits = Vec::new();
        for packed in self.docs.values() {
            hits.extend(packed.unpack_if(filters)?);
        }
        Ok(hits)
    }

    /// How many documents satisfy `filters`.
    pub(super) fn count(&self, filters: &[Filter]) -> Result<usize, RepoError> {
        let mut n = 0;
        for packed in self.docs.values() {
            n += usize::from(packed.unpack_if(filters)?.is_some());
        }
        Ok(n)
    }

    /// The page of `query` read in id order, when its sort is by id ascending alone: the
    /// documents are kept in that order, so the scan starts after an `_id >`/`>=` bound (a reader
    /// paging by id, like the engine's) and stops once the page is full. `None` for other sorts.
    fn page_by_id(&self, query: &Query) -> Option<Result<Vec<Doc>, RepoError>> {
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
        let mut skip = usize::try_from(query.skip).unwrap_or(usize::MAX);
        let limit = query.limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let mut page = Vec::new();
        for (_, packed) in self.docs.range::<str, _>((start, Bound::Unbounded)) {
            if page.len() >= limit {
                break;
            }
            let doc = match packed.unpack_if(&query.filters) {
                Ok(Some(doc)) => doc,
                Ok(None) => continue,
                Err(err) => return Some(Err(err)),
            };
            if skip > 0 {
                skip -= 1;
            } else {
                page.push(doc);
            }
        }
        Some(Ok(page))
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
    pub(super) fn put(&mut self, id: &str, doc: &Doc) -> Result<(), RepoError> {
        let packed = Packed::pack(doc)?;
        self.unindex(id)?;
        for unique in &mut self.uniques {
            unique.ids.insert(index_key(doc, unique.spec.fields), id.to_owned());
        }
        self.docs.insert(id.to_owned(), packed);
        Ok(())
    }

    /// Removes the document with that id; whether there was one.
    pub(super) fn remove(&mut self, id: &str) -> Result<bool, RepoError> {
        self.unindex(id)?;
        Ok(self.docs.remove(id).is_some())
    }

    fn unindex(&mut self, id: &str) -> Result<(), RepoError> {
        if self.uniques.is_empty() {
            return Ok(());
        }
        if let Some(old) = self.docs.get(id) {
            let old = old.unpack()?;
            for unique in &mut self.uniques {
                unique.ids.remove(&index_key(&old, unique.spec.fields));
            }
        }
        Ok(())
    }
}
