//! Moving the embedded store into MongoDB (`botfleet migrate --to`) on nx-27017: every collection
//! copied whole, in pages, while the embedded store stays open (as under a running server); a
//! second run changes nothing and a run interrupted halfway is finished by running it again.

use std::sync::Arc;

use botfleet_tests::contract::fixtures::user;
use botfleet_tests::contract::store::doc;
use botfleet_tests::mongo::{fresh_database_name, mongo_uri};
use infrastructure::repositories::{open_embedded, Repositories};
use infrastructure::store::migrate::embedded_to_mongo;
use infrastructure::store::mongo::MongoStore;
use infrastructure::store::sqlite::SqliteStore;
use infrastructure::store::{DocumentStore, Query};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_collection_is_copied_idempotently_and_resumably() {
    let dir = tempfile::tempdir().unwrap();
    let repos = open_embedded(Some(dir.path())).await.unwrap();
    let ana = repos.users.create(&user("ana@example.com", 0)).await.unwrap();
    repos.users.create(&user("bia@example.com", 1)).await.unwrap();
    // More than one page of the copy (1,000 documents).
    for i in 0..2_345 {
        let d = doc(json!({"_id": format!("t{i:05}"), "version": 1, "n": i, "price": format!("{i}.125")}));
        repos.store.insert("things", d).await.unwrap();
    }
    let source = SqliteStore::open_existing(dir.path()).unwrap();
    let target = Arc::new(MongoStore::connect(&mongo_uri(), &fresh_database_name()).await.unwrap());
    Repositories::on(target.clone()).await.unwrap();
    // An interrupted earlier run left part of a collection behind.
    for i in 0..500 {
        target
            .put("things", doc(json!({"_id": format!("t{i:05}"), "version": 1, "n": i, "price": "stale"})))
            .await
            .unwrap();
    }

    let report = embedded_to_mongo(&source, &target).await.unwrap();

    let things = report.iter().find(|c| c.name == "things").unwrap();
    assert_eq!((things.source, things.target), (2_345, 2_345));
    assert!(report.iter().all(|c| c.matches()), "{report:?}");
    assert!(report.iter().any(|c| c.name == "users" && c.source == 2));
    let copied = target.find("things", &Query::all().asc("_id")).await.unwrap();
    let original = source.find("things", &Query::all().asc("_id")).await.unwrap();
    assert_eq!(copied, original, "documents arrive whole and the stale ones are overwritten");
    let on_mongo = Repositories::on(target.clone()).await.unwrap();
    assert_eq!(on_mongo.users.get(ana.id).await.unwrap(), ana);

    let again = embedded_to_mongo(&source, &target).await.unwrap();
    assert_eq!(again, report, "a second run changes nothing");
    target.drop_database().await.ok();
}
