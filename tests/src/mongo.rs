//! MongoDB for tests: the server's URI from the environment and a fresh database per test.
//! MongoDB tests never skip silently: without a URI they fail and say how to get one.

use std::sync::Arc;

use infrastructure::repositories::Repositories;
use infrastructure::store::mongo::MongoStore;

use crate::contract::Harness;

/// The MongoDB URI for tests: `BOTFLEET_TEST_MONGODB_URI` only. The production variable
/// `MONGODB_URI` is never read here, so a test can never write to a real database.
///
/// # Panics
/// When it is unset: run the tests with `scripts/test.sh`, which starts a local server.
pub fn mongo_uri() -> String {
    std::env::var("BOTFLEET_TEST_MONGODB_URI").ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| {
        panic!(
            "no MongoDB for the tests: set BOTFLEET_TEST_MONGODB_URI, or run the tests with `scripts/test.sh`, \
             which starts a local nx-27017 server and sets it (MONGODB_URI, the production variable, is never read)"
        )
    })
}

/// A database name no other test uses: `bf_test_<ulid>`.
pub fn fresh_database_name() -> String {
    format!("bf_test_{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// A MongoDB store on a fresh database of the test server.
pub async fn fresh_store() -> Arc<MongoStore> {
    let store = MongoStore::connect(&mongo_uri(), &fresh_database_name()).await.expect("valid MongoDB URI");
    Arc::new(store)
}

/// Repositories on a fresh database; the database is dropped when the test passes.
pub async fn harness() -> Harness {
    let store = fresh_store().await;
    let repos = Repositories::on(store.clone()).await.expect("the test MongoDB answers and takes the indexes");
    Harness::with_teardown(
        repos,
        Box::new(move |repos| {
            Box::pin(async move {
                drop(repos);
                store.drop_database().await.expect("the test database can be dropped");
            })
        }),
    )
}
