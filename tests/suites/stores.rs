//! Test binary `stores`: The store contract suite on both stores, the SQLite cache and the migration into MongoDB.
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/store_cache.rs"]
mod store_cache;
#[path = "../tests/store_embedded.rs"]
mod store_embedded;
#[path = "../tests/store_migrate.rs"]
mod store_migrate;
#[path = "../tests/store_mongo.rs"]
mod store_mongo;
