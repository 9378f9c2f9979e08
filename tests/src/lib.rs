//! Test support shared by the test binaries: the store contract suite, run against every store
//! adapter, and MongoDB test databases.

pub mod app;
pub mod contract;
pub mod exchange_contract;
pub mod fakes;
pub mod mongo;
