//! Notification adapters: the event log and preferences over the document store, the outbox
//! relay, and the channels (e-mail, Telegram, outbound webhooks).

pub mod metrics;

mod events;
mod preferences;
pub mod relay;

pub use events::StoreEventRepository;
pub use preferences::StorePreferenceRepository;
pub use relay::{Relay, RelayReport};
