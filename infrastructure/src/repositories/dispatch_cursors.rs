//! [`CursorRepository`] over a [`DocumentStore`]: collection `dispatch_cursors`, one document per
//! cursor (`_id` its name, `seq` its position). Only the holder of the dispatcher's lease moves a
//! cursor, so a plain set is enough.

use std::sync::Arc;

use async_trait::async_trait;
use domain::notifications::CursorRepository;
use domain::RepoError;
use serde::{Deserialize, Serialize};

use super::codec;
use crate::store::{Doc, DocumentStore, IndexSpec, Query, ID};

/// The stored form of a cursor (also the Telegram updates offset, a signed number).
#[derive(Serialize, Deserialize)]
struct CursorDocument {
    #[serde(rename = "_id")]
    name: String,
    seq: i64,
}

/// Reads the position of `name`; 0 when it never moved.
pub(crate) async fn read(store: &dyn DocumentStore, name: &str) -> Result<i64, RepoError> {
    let found: Option<CursorDocument> = codec::get(store, StoreCursorRepository::COLLECTION, name).await?;
    Ok(found.map_or(0, |c| c.seq))
}

/// Moves `name` to `seq`.
pub(crate) async fn write(store: &dyn DocumentStore, name: &str, seq: i64) -> Result<(), RepoError> {
    let coll = StoreCursorRepository::COLLECTION;
    let mut set = Doc::new();
    set.insert("seq".into(), seq.into());
    for _ in 0..2 {
        if store.update_many_set(coll, &Query::all().eq(ID, name), set.clone()).await? == 1 {
            return Ok(());
        }
        match codec::insert(store, coll, &CursorDocument { name: name.to_owned(), seq }).await {
            // Created meanwhile by someone else: set it on the next round.
            Err(RepoError::Duplicate { .. }) => continue,
            other => return other,
        }
    }
    Err(RepoError::Conflict)
}

/// The dispatchers' cursors in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreCursorRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreCursorRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "dispatch_cursors";
    /// Its indexes (the `_id` is the cursor's name; nothing else is looked up).
    pub const INDEXES: &'static [IndexSpec] = &[];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl CursorRepository for StoreCursorRepository {
    async fn get(&self, name: &str) -> Result<u64, RepoError> {
        Ok(u64::try_from(read(&*self.store, name).await?).unwrap_or(0))
    }

    async fn set(&self, name: &str, seq: u64) -> Result<(), RepoError> {
        write(&*self.store, name, i64::try_from(seq).unwrap_or(i64::MAX)).await
    }
}
