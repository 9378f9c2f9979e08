//! The user aggregate.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Email, Language, TimeZoneName};
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
    /// How many times every session of the user was ended. Access tokens carry the generation
    /// they were issued in and are refused once it moves on, so the cut-off is exact even within
    /// the second of a password change (`tokens_valid_after` alone has whole seconds, as `iat` has).
    pub session_generation: u64,
    /// The language of the messages botfleet sends the user.
    pub language: Language,
    /// The user's time zone: their day (the assistant's daily quota) is its local day.
    pub time_zone: TimeZoneName,
    /// Whether the user proved they read the e-mail address's mailbox (live trading needs it).
    pub email_verified: bool,
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

    /// Whether an access token issued at `issued_at` in session generation `generation` is still
    /// honoured for this user.
    pub fn accepts_token(&self, issued_at: OffsetDateTime, generation: u64) -> bool {
        self.is_active()
            && generation == self.session_generation
            && self.tokens_valid_after.is_none_or(|after| issued_at >= after)
    }

    /// Ends every session at `at`: access tokens issued before now stop working at once, those
    /// issued in the same second included.
    pub fn end_sessions(&mut self, at: OffsetDateTime) {
        self.session_generation = self.session_generation.saturating_add(1);
        // `iat` has whole seconds: the generation makes the cut-off exact within this second.
        self.tokens_valid_after = Some(at.replace_nanosecond(0).unwrap_or(at));
    }

    /// Soft-deletes the account: the e-mail is replaced by a tombstone so it can be registered
    /// again, the password hash is wiped and the name removed.
    pub fn mark_deleted(&mut self, at: OffsetDateTime) {
        self.status = UserStatus::Deleted;
        self.email = Email::parse(&format!("deleted+{}@deleted.invalid", self.id.to_string().to_lowercase()))
            .unwrap_or_else(|_| self.email.clone());
        self.name = DisplayName("deleted user".into());
        self.password_hash = String::new();
        self.end_sessions(at);
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
    /// Only users whose normalised e-mail starts with this (lower case).
    pub email_prefix: Option<String>,
    /// Only users created at or after this instant.
    pub created_from: Option<OffsetDateTime>,
    /// Only users created before this instant.
    pub created_to: Option<OffsetDateTime>,
    /// Only these users (the backoffice's joins with subscriptions and bots); `None`: anyone.
    pub ids: Option<Vec<UserId>>,
    /// None of these users.
    pub not_ids: Vec<UserId>,
    /// The order (default: oldest first).
    pub sort: UserSort,
}

/// The order of a user list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserSort {
    /// Oldest first.
    #[default]
    CreatedAsc,
    /// Newest first.
    CreatedDesc,
    /// By e-mail, A to Z.
    EmailAsc,
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn ana() -> User {
        let at = datetime!(2026-01-01 12:00:00 UTC);
        User {
            id: UserId::new(),
            email: Email::parse("ana@example.com").unwrap(),
            name: DisplayName::parse("Ana").unwrap(),
            password_hash: "$argon2id$...".into(),
            role: Role::User,
            status: UserStatus::Active,
            consent: Consent { terms: true, privacy: true, marketing: false, at, ip: None, user_agent: None },
            tokens_valid_after: None,
            session_generation: 0,
            language: Language::PtBr,
            time_zone: TimeZoneName::default(),
            email_verified: false,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn ending_sessions_refuses_tokens_of_the_same_second_and_accepts_new_ones() {
        let mut user = ana();
        let second = datetime!(2026-01-02 08:30:15 UTC);
        let issued_before = second + time::Duration::milliseconds(100);
        assert!(user.accepts_token(issued_before, 0));

        user.end_sessions(second + time::Duration::milliseconds(900));

        // Same whole second as the change (`iat` has no fraction): only the generation tells them apart.
        assert!(!user.accepts_token(second, 0), "a token of the old generation issued in the same second");
        assert!(user.accepts_token(second, 1), "a token issued after the change, in the same second");
        assert!(!user.accepts_token(second - time::Duration::seconds(1), 1), "a token from before the cut-off");
    }

    #[test]
    fn a_deleted_user_accepts_no_token() {
        let mut user = ana();
        let at = datetime!(2026-01-02 08:30:15 UTC);
        user.mark_deleted(at);
        assert!(!user.accepts_token(at + time::Duration::minutes(1), user.session_generation));
        assert_eq!(user.session_generation, 1);
    }
}
