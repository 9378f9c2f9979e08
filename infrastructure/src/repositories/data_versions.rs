//! [`DataVersionRepository`] over a [`DocumentStore`]: collection `data_versions`, one document
//! per user (`_id` the user's id) whose store-kept `version` is the user's data version. A bump
//! is one `update_many_set` (which increments `version` atomically on both engines), or the
//! insert of the first document; a racing insert loses with `Duplicate` and bumps the winner's.

use std::sync::Arc;

use async_trait::async_trait;
use domain::shared::data_version::DataVersionRepository;
use domain::shared::ids::UserId;
use domain::RepoError;
use serde::Serialize;

use super::codec;
use crate::store::{doc_version, Doc, DocumentStore, IndexSpec, Query, ID};

/// The stored form: the id, and the owner again (what each bump sets).
#[derive(Serialize)]
struct VersionDocument {
    #[serde(rename = "_id")]
    id: String,
    user_id: String,
}

/// The users' data versions in a [`DocumentStore`].
#[derive(Debug, Clone)]
pub struct StoreDataVersionRepository {
    store: Arc<dyn DocumentStore>,
}

impl StoreDataVersionRepository {
    /// The collection.
    pub const COLLECTION: &'static str = "data_versions";
    /// Its indexes (read by `_id` only).
    pub const INDEXES: &'static [IndexSpec] = &[];

    /// The repository over `store`.
    pub fn new(store: Arc<dyn DocumentStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl DataVersionRepository for StoreDataVersionRepository {
    async fn current(&self, user: UserId) -> Result<u64, RepoError> {
        match self.store.get(Self::COLLECTION, &user.to_string()).await? {
            Some(doc) => doc_version(&doc),
            None => Ok(0),
        }
    }

    async fn bump(&self, user: UserId) -> Result<(), RepoError> {
        let id = user.to_string();
        let mut set = Doc::new();
        set.insert("user_id".into(), id.clone().into());
        for _ in 0..2 {
            if self.store.update_many_set(Self::COLLECTION, &Query::all().eq(ID, id.as_str()), set.clone()).await? == 1
            {
                return Ok(());
            }
            let first = VersionDocument { id: id.clone(), user_id: id.clone() };
            match codec::insert(&*self.store, Self::COLLECTION, &first).await {
                // Created meanwhile by another writer: bump theirs on the next round.
                Err(RepoError::Duplicate { .. }) => continue,
                other => return other,
            }
        }
        Err(RepoError::Conflict)
    }

    async fn erase(&self, user: UserId) -> Result<(), RepoError> {
        self.store.delete(Self::COLLECTION, &user.to_string()).await.map(drop)
    }
}
