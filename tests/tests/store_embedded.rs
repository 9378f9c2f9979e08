//! Runs the store contract suite against the embedded store, in memory and on disk (where every
//! test also checks that reopening the directory restores exactly what was there), plus restart,
//! crash-recovery and lock-file tests.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use botfleet_tests::contract::fixtures::{at, credential, session, user};
use botfleet_tests::contract::store::doc;
use botfleet_tests::contract::{Harness, COLLECTIONS};
use domain::credentials::ExchangeId;
use domain::identity::RefreshSession;
use domain::shared::ids::{SessionFamilyId, UserId};
use domain::RepoError;
use infrastructure::repositories::{open_embedded, Repositories};
use infrastructure::store::embedded::{EmbeddedOptions, EmbeddedStore, JOURNAL_FILE};
use infrastructure::store::{Doc, DocumentStore, Query};
use serde_json::json;

async fn in_memory_store() -> Harness {
    Harness::new(open_embedded(None).await.unwrap())
}

/// Every collection's documents, by id.
async fn snapshot(store: &dyn DocumentStore) -> Vec<Vec<Doc>> {
    let mut all = Vec::new();
    for coll in COLLECTIONS {
        all.push(store.find(coll, &Query::all().asc("_id")).await.unwrap());
    }
    all
}

async fn on_disk_store() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let repos = open_embedded(Some(dir.path())).await.unwrap();
    Harness::with_teardown(
        repos,
        Box::new(move |repos| {
            Box::pin(async move {
                let before = snapshot(&*repos.store).await;
                drop(repos);
                let reopened = open_embedded(Some(dir.path())).await.unwrap();
                assert_eq!(snapshot(&*reopened.store).await, before, "the journal replays to a different state");
            })
        }),
    )
}

mod in_memory {
    botfleet_tests::contract_suite!(crate::in_memory_store);
}

mod on_disk {
    botfleet_tests::contract_suite!(crate::on_disk_store);
}

fn append_to_journal(dir: &Path, bytes: &[u8]) {
    let mut journal = OpenOptions::new().append(true).open(dir.join(JOURNAL_FILE)).unwrap();
    journal.write_all(bytes).unwrap();
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (ana, family) = (UserId::new(), SessionFamilyId::new());
    let (u, s, kept) = {
        let repos = open_embedded(Some(dir.path())).await.unwrap();
        let mut u = repos.users.create(&user("ana@example.com", 0)).await.unwrap();
        u.updated_at = at(5);
        let u = repos.users.update(&u).await.unwrap();
        let s = repos.sessions.create(&session(ana, family, 1)).await.unwrap();
        repos.sessions.revoke_family(family, at(9)).await.unwrap();
        let gone = repos.credentials.create(&credential(ana, ExchangeId::Binance, 2)).await.unwrap();
        let kept = repos.credentials.create(&credential(ana, ExchangeId::MercadoBitcoin, 3)).await.unwrap();
        repos.credentials.delete(ana, gone.id).await.unwrap();
        (u, s, kept)
    };

    let repos = open_embedded(Some(dir.path())).await.unwrap();

    assert_eq!(repos.users.get(u.id).await.unwrap(), u);
    let revoked = RefreshSession { revoked_at: Some(at(9)), version: 2, ..s.clone() };
    assert_eq!(repos.sessions.find_by_token_hash(&s.token_hash).await.unwrap(), Some(revoked));
    assert_eq!(repos.credentials.list(ana, None, domain::PageRequest::first()).await.unwrap().items, vec![kept]);
    // Unique indexes are rebuilt from the replayed documents.
    let clash = repos.users.create(&user("ana@example.com", 7)).await;
    assert!(matches!(clash, Err(RepoError::Duplicate { ref index }) if index == "users_email"), "{clash:?}");
}

#[tokio::test]
async fn a_torn_last_line_is_ignored_and_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let ana = {
        let repos = open_embedded(Some(dir.path())).await.unwrap();
        repos.users.create(&user("ana@example.com", 0)).await.unwrap()
    };
    append_to_journal(dir.path(), br#"{"op":"put","coll":"users","doc":{"_id":"01J"#);

    let repos = open_embedded(Some(dir.path())).await.unwrap();
    assert_eq!(repos.users.get(ana.id).await.unwrap(), ana);
    let bia = repos.users.create(&user("bia@example.com", 1)).await.unwrap();
    drop(repos);

    let repos = open_embedded(Some(dir.path())).await.unwrap();
    assert_eq!((repos.users.get(ana.id).await.unwrap(), repos.users.get(bia.id).await.unwrap()), (ana, bia));
}

#[tokio::test]
async fn a_corrupt_line_before_the_end_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(open_embedded(Some(dir.path())).await.unwrap());
    append_to_journal(dir.path(), b"not json\n{\"op\":\"del\",\"coll\":\"users\",\"id\":\"x\"}\n");

    let err = open_embedded(Some(dir.path())).await.unwrap_err();

    assert!(format!("{err:#}").contains("corrupt at line 1"), "{err:#}");
}

#[tokio::test]
async fn a_second_open_of_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = open_embedded(Some(dir.path())).await.unwrap();

    let err = open_embedded(Some(dir.path())).await.unwrap_err();

    let message = format!("{err:#}");
    assert!(message.contains("in use by another botfleet process"), "{message}");
    assert!(message.contains(&std::process::id().to_string()), "names the holder's pid: {message}");
    drop(first);
    open_embedded(Some(dir.path())).await.unwrap();
}

#[tokio::test]
async fn opening_compacts_the_journal_to_the_live_documents() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = EmbeddedStore::open_with(Some(dir.path()), EmbeddedOptions { fsync: true }).unwrap();
        for i in 0..3 {
            store.insert("things", doc(json!({"_id": format!("t{i}"), "version": 1}))).await.unwrap();
        }
        for expected in 1..=5 {
            store.replace("things", doc(json!({"_id": "t0", "n": expected})), expected).await.unwrap();
        }
        store.delete("things", "t2").await.unwrap();
    }
    let lines = |dir: &Path| std::fs::read_to_string(dir.join(JOURNAL_FILE)).unwrap().lines().count();
    assert_eq!(lines(dir.path()), 3 + 5 + 1);

    let store: Arc<dyn DocumentStore> = Arc::new(EmbeddedStore::open(Some(dir.path())).unwrap());

    assert_eq!(lines(dir.path()), 2);
    assert_eq!(store.get("things", "t0").await.unwrap(), Some(doc(json!({"_id": "t0", "n": 5, "version": 6}))));
    assert_eq!(store.count("things", &Query::all()).await.unwrap(), 2);
    Repositories::on(store).await.unwrap();
}
