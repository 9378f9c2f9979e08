//! Single-use tokens sent by e-mail: password reset (30 minutes) and e-mail verification (48 hours).
//! Only the SHA-256 of a token is stored; the token itself exists in the message and nowhere else.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::shared::ids::{EmailTokenId, UserId};

/// What a token proves once presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    /// Sets a new password without the old one.
    PasswordReset,
    /// Proves the user reads the mailbox of their e-mail address.
    EmailVerification,
}

impl TokenPurpose {
    /// How long a token of this purpose stays usable.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::PasswordReset => Duration::minutes(30),
            Self::EmailVerification => Duration::hours(48),
        }
    }
}

/// One issued token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailToken {
    /// Id.
    pub id: EmailTokenId,
    /// Whose.
    pub user_id: UserId,
    /// What for.
    pub purpose: TokenPurpose,
    /// Hex SHA-256 of the token; unique.
    pub token_hash: String,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// Set when it was used, or superseded by a newer token of the same purpose.
    pub consumed_at: Option<OffsetDateTime>,
}

/// Why a presented token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailTokenError {
    /// Unknown, of another purpose, already used or superseded.
    #[error("the token is not valid (unknown, already used or superseded)")]
    Invalid,
    /// Past its lifetime.
    #[error("the token has expired; ask for a new one")]
    Expired,
}

impl EmailToken {
    /// A token of `purpose` for `user_id` issued at `now`, stored under `token_hash`.
    pub fn issue(user_id: UserId, purpose: TokenPurpose, token_hash: String, now: OffsetDateTime) -> Self {
        Self {
            id: EmailTokenId::new(),
            user_id,
            purpose,
            token_hash,
            created_at: now,
            expires_at: now + purpose.lifetime(),
            consumed_at: None,
        }
    }

    /// Whether the token may be used for `purpose` at `now`.
    pub fn check(&self, purpose: TokenPurpose, now: OffsetDateTime) -> Result<(), EmailTokenError> {
        if self.purpose != purpose || self.consumed_at.is_some() {
            return Err(EmailTokenError::Invalid);
        }
        if now >= self.expires_at {
            return Err(EmailTokenError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_token_works_for_its_purpose_until_it_expires_or_is_consumed() {
        let now = datetime!(2026-03-01 10:00:00 UTC);
        let mut token = EmailToken::issue(UserId::new(), TokenPurpose::PasswordReset, "h".into(), now);
        assert_eq!(token.check(TokenPurpose::PasswordReset, now + Duration::minutes(29)), Ok(()));
        assert_eq!(
            token.check(TokenPurpose::PasswordReset, now + Duration::minutes(30)),
            Err(EmailTokenError::Expired)
        );
        assert_eq!(token.check(TokenPurpose::EmailVerification, now), Err(EmailTokenError::Invalid));
        token.consumed_at = Some(now);
        assert_eq!(token.check(TokenPurpose::PasswordReset, now), Err(EmailTokenError::Invalid));
        let verification = EmailToken::issue(UserId::new(), TokenPurpose::EmailVerification, "v".into(), now);
        assert_eq!(verification.expires_at, now + Duration::hours(48));
    }
}
