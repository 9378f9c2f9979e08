//! botfleet's domain: entities, value objects, domain services and the port traits they need.
//!
//! This crate performs no IO and depends on no IO crate (no tokio, actix, mongodb, bson, reqwest,
//! jsonwebtoken, aes-gcm). Adapters in `botfleet-infrastructure` implement its ports; embed this
//! crate on its own to reuse the trading logic. Enable the `mocks` feature for `mockall` doubles
//! of every port.

pub mod analytics;
pub mod assistant;
pub mod backoffice;
pub mod bots;
pub mod contexts;
pub mod credentials;
pub mod exchange;
pub mod identity;
pub mod indicators;
pub mod leases;
pub mod legal;
pub mod market;
pub mod notifications;
pub mod orders;
pub mod reports;
pub mod shared;
pub mod signals;
pub mod subscriptions;
pub mod webhooks;

pub use shared::clock::Clock;
pub use shared::error::RepoError;
pub use shared::page::{Page, PageRequest};
