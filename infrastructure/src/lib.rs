//! botfleet's adapters: the embedded and MongoDB stores with one repository per aggregate,
//! crypto (AES-256-GCM, JWT, argon2id), the system clock, and (as they land) exchanges, payments
//! and the job scheduler.

pub mod clock;
pub mod crypto;
pub mod exchanges;
pub mod llm;
pub mod mail;
pub mod notifications;
pub mod payments;
pub mod reports;
pub mod repositories;
pub mod scheduler;
pub mod store;
pub mod telegram;
pub mod webhooks;
