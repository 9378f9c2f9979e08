//! Contract of the store method the outbox relay needs: `replace_same_version` rewrites a document
//! only at the version it read, and keeps that version, so the optimistic writer holding the
//! document (the engine) writes its next version as if nothing happened.

use infrastructure::repositories::Repositories;
use infrastructure::store::{DocumentStore, IndexSpec};
use serde_json::json;

use super::assert_duplicate;
use super::store::doc;

const COLL: &str = "contract_same_version";
const INDEXES: &[IndexSpec] = &[IndexSpec::unique("same_version_code", &["code"])];

async fn store(repos: &Repositories) -> &dyn DocumentStore {
    let store = &*repos.store;
    store.ensure_collection(COLL, INDEXES).await.unwrap();
    store.insert(COLL, doc(json!({"_id": "a", "version": 3, "code": "A", "outbox": "[1]"}))).await.unwrap();
    store.insert(COLL, doc(json!({"_id": "b", "version": 1, "code": "B"}))).await.unwrap();
    store
}

/// At the stored version the document is replaced and keeps its version; the holder's next
/// optimistic write then succeeds.
pub async fn replace_same_version_keeps_the_version(repos: &Repositories) {
    let store = store(repos).await;

    let cleared = doc(json!({"_id": "a", "version": 99, "code": "A"}));
    assert!(store.replace_same_version(COLL, cleared, 3).await.unwrap());

    let read = store.get(COLL, "a").await.unwrap().unwrap();
    assert_eq!(read, doc(json!({"_id": "a", "version": 3, "code": "A"})));
    let next = doc(json!({"_id": "a", "version": 3, "code": "A", "outbox": "[2]"}));
    assert_eq!(store.replace(COLL, next, 3).await.unwrap(), 4);
}

/// At another version, or for a missing document or collection, nothing changes.
pub async fn replace_same_version_refuses_another_version(repos: &Repositories) {
    let store = store(repos).await;

    let stale = doc(json!({"_id": "a", "version": 2, "code": "A"}));
    assert!(!store.replace_same_version(COLL, stale, 2).await.unwrap());
    let missing = doc(json!({"_id": "zz", "version": 1, "code": "Z"}));
    assert!(!store.replace_same_version(COLL, missing.clone(), 1).await.unwrap());
    assert!(!store.replace_same_version("contract_nothing", missing, 1).await.unwrap());

    let read = store.get(COLL, "a").await.unwrap().unwrap();
    assert_eq!(read, doc(json!({"_id": "a", "version": 3, "code": "A", "outbox": "[1]"})));
    assert_eq!(store.get(COLL, "zz").await.unwrap(), None);
    let taken = doc(json!({"_id": "b", "version": 1, "code": "A"}));
    assert_duplicate(store.replace_same_version(COLL, taken, 1).await, "same_version_code");
}
