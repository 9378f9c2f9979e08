//! The user aggregate.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Email;
use crate::shared::ids::UserId;

/// A person with an account.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    /// Stable id.
    pub id: UserId,
    /// Normalised, unique e-mail address.
    pub email: Email,
    /// Display name.
    pub name: DisplayName,
    /// The argon2id PHC string; never leaves the server.
    pub password_hash: String,
    /// What the user may administer.
    pub role: Role,
    /// Active, blocked or deleted.
    pub status: UserStatus,
    /// The consent given at registration, updated when marketing consent changes.
    pub consent: Consent,
    /// Access tokens issued before this instant are refused (set on password change and
    /// account deletion, so other sessions end at once rather than when their token expires).
    pub tokens_valid_after: Option<OffsetDateTime>,
    /// When the account was created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version; 0 before the first write.
    pub version: u64,
}

impl User {
    /// Whether the user may log in and use tokens.
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }

    /// Whether an access token issued at `issued_at` is still honoured for this user.
    pub fn accepts_token_issued_at(&self, issued_at: OffsetDateTime) -> bool {
        self.is_active() && self.tokens_valid_after.is_none_or(|after| issued_at >= after)
    }

    /// Soft-deletes the account: the e-mail is replaced by a tombstone so it can be registered
    /// again, the password hash is wiped and the name removed.
    pub fn mark_deleted(&mut self, at: OffsetDateTime) {
        self.status = UserStatus::Deleted;
        self.email = Email::parse(&format!("deleted+{}@deleted.invalid", self.id.to_string().to_lowercase()))
            .unwrap_or_else(|_| self.email.clone());
        self.name = DisplayName("deleted user".into());
        self.password_hash = String::new();
        self.tokens_valid_after = Some(at);
        self.updated_at = at;
    }
}

/// A user's display name: 1 to 100 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

/// Why a display name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    /// Empty after trimming.
    #[error("must not be empty")]
    Empty,
    /// Longer than 100 characters.
    #[error("must be at most 100 characters")]
    TooLong,
}

impl DisplayName {
    /// Trims and checks `raw`.
    pub fn parse(raw: &str) -> Result<Self, DisplayNameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if s.chars().count() > 100 {
            return Err(DisplayNameError::TooLong);
        }
        Ok(Self(s.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = DisplayNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// What a user may administer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A customer.
    User,
    /// Back-office operator.
    Admin,
}

/// Account state. Only `Active` users may log in or use tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Normal.
    Active,
    /// Blocked by an operator.
    Blocked,
    /// Soft-deleted by the user; kept for the audit trail only.
    Deleted,
}

/// The consent record (LGPD): the three flags with when and from where they were given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Terms of use accepted.
    pub terms: bool,
    /// Privacy policy accepted.
    pub privacy: bool,
    /// Marketing messages allowed.
    pub marketing: bool,
    /// When the flags were last set.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Client IP at that moment, when known.
    pub ip: Option<String>,
    /// Client user agent at that moment, when known.
    pub user_agent: Option<String>,
}

/// Filters for listing users (back office).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Only users in this state.
    pub status: Option<UserStatus>,
    /// Only users with this role.
    pub role: Option<Role>,
}
