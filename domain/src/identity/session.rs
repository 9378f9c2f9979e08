//! Refresh-token sessions. Each login starts a family; each refresh rotates to a new member.

use time::OffsetDateTime;

use crate::shared::ids::{SessionFamilyId, SessionId, UserId};

/// One refresh token. Only the SHA-256 of the token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshSession {
    /// Id of this token.
    pub id: SessionId,
    /// Owner.
    pub user_id: UserId,
    /// The login this token descends from; reuse of a spent token revokes the whole family.
    pub family_id: SessionFamilyId,
    /// Hex SHA-256 of the opaque token; unique.
    pub token_hash: String,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// Set when it was exchanged for a new pair; a second use is theft.
    pub used_at: Option<OffsetDateTime>,
    /// Set when its family was revoked (logout, password change, reuse detected, deletion).
    pub revoked_at: Option<OffsetDateTime>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl RefreshSession {
    /// Whether the token may be exchanged at `now`.
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }
}
