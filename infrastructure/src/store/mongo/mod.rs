//! The MongoDB document store (official `mongodb` 3.x driver). Indexes are created by
//! `ensure_collection` at start-up; duplicate-key errors become `Duplicate { index }` and every
//! other driver failure `Unavailable`.

mod convert;

use std::collections::HashMap;
use std::fmt;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use domain::RepoError;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};

use self::convert::{filter_doc, from_bson_doc, sort_doc, to_bson_doc};
use super::{check_set, doc_id, Doc, DocumentStore, IndexSpec, Query, ID, VERSION};

/// How long to look for a server before an operation fails as `Unavailable`.
const SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// The MongoDB [`DocumentStore`], on one database.
pub struct MongoStore {
    client: Client,
    db: Database,
    /// Unique indexes by collection, to name the index of a duplicate-key error.
    uniques: RwLock<HashMap<String, Vec<IndexSpec>>>,
}

impl MongoStore {
    /// A store on `database` at `uri`. Connects lazily: the first operation (or [`DocumentStore::ping`])
    /// fails with `Unavailable` within about 5 s when no server answers (unless the URI sets
    /// `serverSelectionTimeoutMS`).
    pub async fn connect(uri: &str, database: &str) -> Result<Self, RepoError> {
        let mut options = ClientOptions::parse(uri).await.map_err(RepoError::unavailable)?;
        options.server_selection_timeout.get_or_insert(SERVER_SELECTION_TIMEOUT);
        options.connect_timeout.get_or_insert(SERVER_SELECTION_TIMEOUT);
        options.app_name.get_or_insert_with(|| "botfleet".to_owned());
        let client = Client::with_options(options).map_err(RepoError::unavailable)?;
        let db = client.database(database);
        Ok(Self { client, db, uniques: RwLock::new(HashMap::new()) })
    }

    /// The database's name.
    pub fn database_name(&self) -> &str {
        self.db.name()
    }

    /// Drops the whole database (tests use one database each).
    pub async fn drop_database(&self) -> Result<(), RepoError> {
        self.db.drop().await.map_err(RepoError::unavailable)
    }

    /// Closes the connections.
    pub async fn shutdown(self) {
        self.client.shutdown().await;
    }

    /// Writes `doc` whole under its `_id`, inserting or replacing whatever is there (migration).
    pub async fn put(&self, coll: &str, doc: Doc) -> Result<(), RepoError> {
        let id = doc_id(&doc)?.to_owned();
        let doc = to_bson_doc(&doc)?;
        self.coll(coll).replace_one(doc! { ID: id }, doc).upsert(true).await.map_err(|e| self.map_err(coll, e))?;
        Ok(())
    }

    fn coll(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }

    /// Maps a driver error: duplicate keys (code 11000, as a write or a command error) become
    /// `Duplicate` naming the index; everything else is `Unavailable`.
    fn map_err(&self, coll: &str, err: mongodb::error::Error) -> RepoError {
        let Some(message) = duplicate_message(&err) else { return RepoError::unavailable(err) };
        let uniques = self.uniques.read().unwrap_or_else(PoisonError::into_inner);
        let specs = uniques.get(coll).map(Vec::as_slice).unwrap_or_default();
        RepoError::Duplicate { index: duplicate_index(coll, &message, specs) }
    }
}

impl fmt::Debug for MongoStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MongoStore").field("database", &self.db.name()).finish_non_exhaustive()
    }
}

/// The message of a duplicate-key error, if `err` is one.
fn duplicate_message(err: &mongodb::error::Error) -> Option<String> {
    let is_duplicate = |code: i32| code == 11000 || code == 11001;
    match err.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) if is_duplicate(e.code) => Some(e.message.clone()),
        ErrorKind::Command(e) if is_duplicate(e.code) => Some(e.message.clone()),
        // nx-27017 refuses a unique index over duplicates with an error lacking `code`, which the
        // driver reports as an invalid response; its message still says what happened.
        ErrorKind::InvalidResponse { .. } => {
            let message = err.server_response()?.get_str("errmsg").ok()?;
            message.contains("UNIQUE constraint failed").then(|| message.to_owned())
        }
        _ => None,
    }
}

/// The name of the unique index a duplicate-key message is about. MongoDB says
/// `E11000 duplicate key error collection: db.users index: users_email dup key: {..}`; nx-27017 says
/// `UNIQUE constraint failed: index 'idx_users_email'` (it names indexes `idx_<coll>_<fields>`)
/// or `UNIQUE constraint failed: users._id`. Unrecognised names fall back to the collection's
/// (first) unique index.
fn duplicate_index(coll: &str, message: &str, specs: &[IndexSpec]) -> String {
    let named = message
        .split_once("index: ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .or_else(|| message.split_once("index '").and_then(|(_, rest)| rest.split('\'').next()));
    if named == Some("_id_") || message.contains(&format!("{coll}._id")) {
        return ID.to_owned();
    }
    let found = named
        .and_then(|name| specs.iter().find(|s| s.name == name || name == format!("idx_{coll}_{}", s.fields.join("_"))));
    match (found, specs.first(), named) {
        (Some(spec), _, _) | (None, Some(spec), _) => spec.name.to_owned(),
        (None, None, Some(name)) => name.to_owned(),
        (None, None, None) => ID.to_owned(),
    }
}

#[async_trait]
impl DocumentStore for MongoStore {
    async fn ensure_collection(&self, coll: &str, indexes: &[IndexSpec]) -> Result<(), RepoError> {
        let models: Vec<IndexModel> = indexes
            .iter()
            .map(|spec| {
                let keys: Document = spec.fields.iter().map(|f| ((*f).to_owned(), Bson::Int32(1))).collect();
                let options = IndexOptions::builder().name(spec.name.to_owned()).unique(spec.unique).build();
                IndexModel::builder().keys(keys).options(options).build()
            })
            .collect();
        self.uniques
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(coll.to_owned(), indexes.iter().filter(|s| s.unique).copied().collect());
        if !models.is_empty() {
            self.coll(coll).create_indexes(models).await.map_err(|e| self.map_err(coll, e))?;
        }
        Ok(())
    }

    async fn insert(&self, coll: &str, doc: Doc) -> Result<(), RepoError> {
        doc_id(&doc)?;
        let doc = to_bson_doc(&doc)?;
        self.coll(coll).insert_one(doc).await.map_err(|e| self.map_err(coll, e))?;
        Ok(())
    }

    async fn get(&self, coll: &str, id: &str) -> Result<Option<Doc>, RepoError> {
        let found = self.coll(coll).find_one(doc! { ID: id }).await.map_err(|e| self.map_err(coll, e))?;
        found.map(from_bson_doc).transpose()
    }

    async fn find(&self, coll: &str, query: &Query) -> Result<Vec<Doc>, RepoError> {
        // MongoDB reads a limit of 0 as "no limit".
        if query.limit == Some(0) {
            return Ok(Vec::new());
        }
        let collection = self.coll(coll);
        let mut find = collection.find(filter_doc(&query.filters)?).sort(sort_doc(&query.sort));
        if query.skip > 0 {
            find = find.skip(query.skip);
        }
        if let Some(limit) = query.limit {
            find = find.limit(i64::try_from(limit).unwrap_or(i64::MAX));
        }
        let cursor = find.await.map_err(|e| self.map_err(coll, e))?;
        let docs: Vec<Document> = cursor.try_collect().await.map_err(|e| self.map_err(coll, e))?;
        docs.into_iter().map(from_bson_doc).collect()
    }

    async fn count(&self, coll: &str, query: &Query) -> Result<u64, RepoError> {
        let filter = filter_doc(&query.filters)?;
        self.coll(coll).count_documents(filter).await.map_err(|e| self.map_err(coll, e))
    }

    async fn replace(&self, coll: &str, mut doc: Doc, expected_version: u64) -> Result<u64, RepoError> {
        let id = doc_id(&doc)?.to_owned();
        let version = expected_version + 1;
        doc.insert(VERSION.to_owned(), version.into());
        let expected = i64::try_from(expected_version).map_err(RepoError::unavailable)?;
        let collection = self.coll(coll);
        let result = collection
            .replace_one(doc! { ID: &id, VERSION: expected }, to_bson_doc(&doc)?)
            .await
            .map_err(|e| self.map_err(coll, e))?;
        if result.matched_count == 1 {
            return Ok(version);
        }
        let exists = collection.find_one(doc! { ID: &id }).await.map_err(|e| self.map_err(coll, e))?;
        Err(if exists.is_some() { RepoError::Conflict } else { RepoError::NotFound })
    }

    async fn replace_same_version(&self, coll: &str, mut doc: Doc, version: u64) -> Result<bool, RepoError> {
        let id = doc_id(&doc)?.to_owned();
        doc.insert(VERSION.to_owned(), version.into());
        let expected = i64::try_from(version).map_err(RepoError::unavailable)?;
        let result = self
            .coll(coll)
            .replace_one(doc! { ID: &id, VERSION: expected }, to_bson_doc(&doc)?)
            .await
            .map_err(|e| self.map_err(coll, e))?;
        Ok(result.matched_count == 1)
    }

    async fn delete(&self, coll: &str, id: &str) -> Result<bool, RepoError> {
        let result = self.coll(coll).delete_one(doc! { ID: id }).await.map_err(|e| self.map_err(coll, e))?;
        Ok(result.deleted_count > 0)
    }

    async fn update_many_set(&self, coll: &str, query: &Query, set: Doc) -> Result<u64, RepoError> {
        check_set(&set)?;
        let update = doc! { "$set": to_bson_doc(&set)?, "$inc": { VERSION: 1_i64 } };
        let result = self
            .coll(coll)
            .update_many(filter_doc(&query.filters)?, update)
            .await
            .map_err(|e| self.map_err(coll, e))?;
        Ok(result.modified_count)
    }

    async fn ping(&self) -> Result<(), RepoError> {
        self.db.run_command(doc! { "ping": 1 }).await.map_err(RepoError::unavailable)?;
        Ok(())
    }

    async fn index_keys(&self, coll: &str) -> Result<Vec<Vec<String>>, RepoError> {
        let exists = self.db.list_collection_names().await.map_err(RepoError::unavailable)?.iter().any(|c| c == coll);
        if !exists {
            return Ok(Vec::new());
        }
        let models: Vec<IndexModel> = self
            .coll(coll)
            .list_indexes()
            .await
            .map_err(|e| self.map_err(coll, e))?
            .try_collect()
            .await
            .map_err(|e| self.map_err(coll, e))?;
        let mut keys: Vec<Vec<String>> = models
            .into_iter()
            .map(|model| model.keys.keys().cloned().collect::<Vec<String>>())
            .filter(|fields| fields != &[ID.to_owned()])
            .collect();
        keys.sort();
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[IndexSpec] =
        &[IndexSpec::unique("users_email", &["email"]), IndexSpec::unique("users_ab", &["a", "b"])];

    #[test]
    fn names_the_index_of_a_duplicate_key_message() {
        let mongo = "E11000 duplicate key error collection: t.users index: users_ab dup key: { a: 1 }";
        assert_eq!(duplicate_index("users", mongo, SPECS), "users_ab");
        assert_eq!(duplicate_index("users", "E11000 ... index: _id_ dup key: { _id: \"x\" }", SPECS), "_id");
        assert_eq!(duplicate_index("users", "UNIQUE constraint failed: index 'idx_users_a_b'", SPECS), "users_ab");
        assert_eq!(duplicate_index("users", "UNIQUE constraint failed: users._id", SPECS), "_id");
        assert_eq!(duplicate_index("users", "something else", SPECS), "users_email");
    }
}
