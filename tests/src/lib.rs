//! Test support shared by the test binaries: the store and exchange contract suites, run against
//! every adapter, MongoDB test databases, and stateful fakes of exchange APIs.

pub mod analytics;
pub mod app;
pub mod assistant;
pub mod backoffice;
pub mod billing;
pub mod bots;
pub mod contract;
pub mod dashboard;
pub mod engine;
pub mod exchange_contract;
pub mod fakes;
pub mod history;
pub mod ledger;
pub mod market_data;
pub mod mongo;
pub mod notifications;
pub mod orders;
pub mod smtp;
pub mod sse;
