//! The SQLite store's document cache stays coherent with the database: no read returns a version
//! older than one already acknowledged to a writer, unique-index lookups follow changes of the
//! key, and bulk updates invalidate what they change. On disk, so that reads use their own
//! connections beside the writer, as in production.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use botfleet_tests::contract::store::doc;
use domain::RepoError;
use infrastructure::store::sqlite::{SqliteOptions, SqliteStore};
use infrastructure::store::{Doc, DocumentStore, IndexSpec, Query};
use serde_json::json;

const COLL: &str = "cached";
const INDEXES: &[IndexSpec] = &[IndexSpec::unique("cached_email", &["email"])];

async fn store(dir: &tempfile::TempDir, cache_bytes: usize) -> Arc<SqliteStore> {
    let options = SqliteOptions { cache_bytes, ..SqliteOptions::default() };
    let store = Arc::new(SqliteStore::open(Some(dir.path()), options).unwrap());
    store.ensure_collection(COLL, INDEXES).await.unwrap();
    store
}

fn version(doc: &Doc) -> u64 {
    doc["version"].as_u64().unwrap()
}

async fn by_email(store: &SqliteStore, email: &str) -> Vec<String> {
    let found = store.find(COLL, &Query::all().eq("email", email.to_owned())).await.unwrap();
    found.iter().map(|d| d["_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_read_returns_a_version_older_than_an_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir, 1 << 20).await;
    store.insert(COLL, doc(json!({"_id": "a", "version": 1, "email": "a@x", "n": 0}))).await.unwrap();
    let acknowledged = Arc::new(AtomicU64::new(1));
    const WRITES: u64 = 200;

    let mut writers = Vec::new();
    for _ in 0..2 {
        let (store, acknowledged) = (store.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            let mut done = 0;
            while done < WRITES {
                let mut current = store.get(COLL, "a").await.unwrap().unwrap();
                let expected = version(&current);
                let n = current["n"].as_u64().unwrap();
                current.insert("n".into(), json!(n + 1));
                match store.replace(COLL, current, expected).await {
                    Ok(written) => {
                        acknowledged.fetch_max(written, Ordering::SeqCst);
                        done += 1;
                    }
                    Err(RepoError::Conflict) => {}
                    Err(other) => panic!("{other:?}"),
                }
            }
        }));
    }
    let mut readers = Vec::new();
    for reader in 0..4 {
        let (store, acknowledged) = (store.clone(), acknowledged.clone());
        readers.push(tokio::spawn(async move {
            let mut reads = 0u64;
            while acknowledged.load(Ordering::SeqCst) < 1 + 2 * WRITES {
                let floor = acknowledged.load(Ordering::SeqCst);
                let seen = if reader % 2 == 0 {
                    store.get(COLL, "a").await.unwrap().unwrap()
                } else {
                    let found = store.find(COLL, &Query::all().eq("email", "a@x".to_owned())).await.unwrap();
                    found.into_iter().next().unwrap()
                };
                assert!(
                    version(&seen) >= floor,
                    "read version {} after version {floor} was acknowledged",
                    version(&seen)
                );
                assert_eq!(seen["n"].as_u64().unwrap() + 1, version(&seen), "a torn document");
                reads += 1;
                // A cache hit completes without suspending: let the writers run.
                tokio::task::yield_now().await;
            }
            reads
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    for reader in readers {
        assert!(reader.await.unwrap() > 0);
    }
    let cached = store.get(COLL, "a").await.unwrap().unwrap();
    assert_eq!(version(&cached), 1 + 2 * WRITES);
    assert!(store.cached_bytes() > 0, "the reads went through the cache");
    let uncached = store.find(COLL, &Query::all().asc("_id")).await.unwrap();
    assert_eq!(uncached, vec![cached]);
}

#[tokio::test]
async fn unique_lookups_follow_the_key_as_it_moves() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir, 1 << 20).await;
    store.insert(COLL, doc(json!({"_id": "a", "version": 1, "email": "x@x"}))).await.unwrap();
    assert_eq!(by_email(&store, "x@x").await, ["a"]);
    assert_eq!(by_email(&store, "x@x").await, ["a"], "served again (now through the cache)");
    assert!(store.cached_bytes() > 0);

    store.replace(COLL, doc(json!({"_id": "a", "email": "y@x"})), 1).await.unwrap();
    assert!(by_email(&store, "x@x").await.is_empty(), "the old key no longer finds the document");
    assert_eq!(by_email(&store, "y@x").await, ["a"]);

    store.insert(COLL, doc(json!({"_id": "b", "version": 1, "email": "x@x"}))).await.unwrap();
    assert_eq!(by_email(&store, "x@x").await, ["b"], "the key now leads to another document");
    assert!(store.delete(COLL, "b").await.unwrap());
    assert!(by_email(&store, "x@x").await.is_empty());
    assert!(store.get(COLL, "b").await.unwrap().is_none());
}

#[tokio::test]
async fn bulk_updates_and_deletes_invalidate_cached_documents() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir, 1 << 20).await;
    for id in ["a", "b"] {
        store.insert(COLL, doc(json!({"_id": id, "version": 1, "email": format!("{id}@x"), "n": 0}))).await.unwrap();
        store.get(COLL, id).await.unwrap();
    }
    let set = doc(json!({"n": 5}));
    assert_eq!(store.update_many_set(COLL, &Query::all().eq("n", 0), set).await.unwrap(), 2);
    for id in ["a", "b"] {
        let read = store.get(COLL, id).await.unwrap().unwrap();
        assert_eq!((read["n"].as_u64(), version(&read)), (Some(5), 2), "{id}");
    }
    assert_eq!(by_email(&store, "a@x").await, ["a"]);
    assert!(store.delete(COLL, "a").await.unwrap());
    assert!(store.get(COLL, "a").await.unwrap().is_none());
    assert!(by_email(&store, "a@x").await.is_empty());
}

#[tokio::test]
async fn a_store_without_cache_holds_nothing_and_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir, 0).await;
    store.insert(COLL, doc(json!({"_id": "a", "version": 1, "email": "a@x"}))).await.unwrap();
    assert_eq!(by_email(&store, "a@x").await, ["a"]);
    assert_eq!(version(&store.get(COLL, "a").await.unwrap().unwrap()), 1);
    assert_eq!(store.cached_bytes(), 0);
}
