//! Runs the store contract suite against MongoDB, one fresh database per test. Needs
//! `BOTFLEET_TEST_MONGODB_URI` (never `MONGODB_URI`); `scripts/test.sh` starts a server and sets it.

use botfleet_tests::contract::Harness;

async fn mongo() -> Harness {
    botfleet_tests::mongo::harness().await
}

botfleet_tests::contract_suite!(mongo);

#[tokio::test]
async fn open_mongo_creates_the_indexes_and_answers() {
    let database = botfleet_tests::mongo::fresh_database_name();
    let uri = botfleet_tests::mongo::mongo_uri();
    let repos = infrastructure::repositories::open_mongo(&uri, &database).await.unwrap();
    repos.store.ping().await.unwrap();
    drop(repos);
    let store = infrastructure::store::mongo::MongoStore::connect(&uri, &database).await.unwrap();
    store.drop_database().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_server_fails_fast_as_unavailable() {
    let started = std::time::Instant::now();
    let uri = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500&connectTimeoutMS=500";
    let err = infrastructure::repositories::open_mongo(uri, "bf_test_unreachable").await.unwrap_err();
    let cause = err.chain().find_map(|e| e.downcast_ref::<domain::RepoError>());
    assert!(matches!(cause, Some(domain::RepoError::Unavailable(_))), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
