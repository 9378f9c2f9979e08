//! The ports of the sending channels (e-mail, Telegram): their deliveries and the dispatchers'
//! cursors over the event log; and the live stream's spent tickets.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::delivery::Delivery;
use super::preferences::Channel;
use crate::shared::error::RepoError;
use crate::shared::ids::UserId;

/// The deliveries of the sending channels.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait DeliveryRepository: Send + Sync {
    /// Stores the deliveries whose id is not stored yet (a repeat is ignored); how many were new.
    /// Errors: `Unavailable` only.
    async fn add(&self, deliveries: &[Delivery]) -> Result<u64, RepoError>;

    /// Up to `limit` pending deliveries of `channel` due at `now`, oldest due first.
    async fn due(&self, channel: Channel, now: OffsetDateTime, limit: u64) -> Result<Vec<Delivery>, RepoError>;

    /// Every pending delivery of `user` on `channel` (due or not), oldest first, at most `limit`.
    async fn pending_of(&self, channel: Channel, user: UserId, limit: u64) -> Result<Vec<Delivery>, RepoError>;

    /// Stores a delivery's new state. Errors: `NotFound` when it is not stored.
    async fn save(&self, delivery: &Delivery) -> Result<(), RepoError>;

    /// How many deliveries of `channel` are pending.
    async fn pending_count(&self, channel: Channel) -> Result<u64, RepoError>;

    /// Erases `user`'s deliveries on every channel (account deletion); how many.
    async fn delete_of(&self, user: UserId) -> Result<u64, RepoError>;
}

/// Where each dispatcher stands in the event log: the `seq` of the last event it handled.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait CursorRepository: Send + Sync {
    /// The position of the cursor `name`; 0 before its first move.
    async fn get(&self, name: &str) -> Result<u64, RepoError>;

    /// Moves the cursor `name` to `seq`.
    async fn set(&self, name: &str, seq: u64) -> Result<(), RepoError>;
}

/// The live stream's tickets already used, shared by every instance (a ticket taken on one
/// instance is refused on all the others).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait SpentTicketRepository: Send + Sync {
    /// Spends the ticket `nonce` (valid until `expires_at`) at `now`, atomically: `true` the
    /// first time, `false` once it was spent (here or on another instance). Tickets expired by
    /// `now` may be forgotten: an expired ticket is refused before it is spent.
    async fn spend(&self, nonce: &str, expires_at: OffsetDateTime, now: OffsetDateTime) -> Result<bool, RepoError>;
}
