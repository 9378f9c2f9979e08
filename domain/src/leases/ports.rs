//! The lease port.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::shared::error::RepoError;

/// Stores leases. A lease has a name (`workflow:sync_orders`, `bot:<id>`), a holder (an instance
/// id) and an expiry; at most one holder has an unexpired lease of a name at any time, across
/// every process sharing the store. Both methods cost one read and at most one write.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait LeaseRepository: Send + Sync {
    /// Takes or extends the lease `name` for `holder` until `now + ttl`, atomically: succeeds
    /// (`true`) when nobody holds it, when its lease expired (at or before `now`), or when
    /// `holder` already holds it (a renewal). `false` when another holder's lease is still valid,
    /// including when another holder won a concurrent attempt.
    /// Errors: `Unavailable` only.
    async fn try_acquire(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError>;

    /// Gives the lease `name` up if `holder` holds it, so another holder may take it at once;
    /// whether it did. A lease held by someone else is left alone.
    /// Errors: `Unavailable` only.
    async fn release(&self, name: &str, holder: &str) -> Result<bool, RepoError>;
}
