//! The password policy. A `PlainPassword` exists only while it is hashed or checked.

/// A candidate password that satisfies the policy: at least 10 characters, at most 128, and
/// characters from more than one class (lower case, upper case, digits, symbols).
/// Its `Debug` never shows the value.
pub struct PlainPassword(String);

/// What the password policy refuses; the message tells the user what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    /// Fewer than [`PlainPassword::MIN_LEN`] characters.
    #[error("must be at least 10 characters long")]
    TooShort,
    /// More than [`PlainPassword::MAX_LEN`] characters.
    #[error("must be at most 128 characters long")]
    TooLong,
    /// All characters come from a single class.
    #[error("must mix at least two kinds of characters: lower case, upper case, digits, symbols")]
    SingleClass,
}

impl PlainPassword {
    /// Minimum length, in characters.
    pub const MIN_LEN: usize = 10;
    /// Maximum length, in characters (bounds hashing cost).
    pub const MAX_LEN: usize = 128;

    /// Checks `raw` against the policy.
    pub fn new(raw: String) -> Result<Self, PasswordPolicyError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(PasswordPolicyError::TooShort);
        }
        if len > Self::MAX_LEN {
            return Err(PasswordPolicyError::TooLong);
        }
        let classes = [
            raw.chars().any(|c| c.is_lowercase()),
            raw.chars().any(|c| c.is_uppercase()),
            raw.chars().any(|c| c.is_ascii_digit()),
            raw.chars().any(|c| !c.is_alphanumeric()),
        ];
        if classes.iter().filter(|present| **present).count() < 2 {
            return Err(PasswordPolicyError::SingleClass);
        }
        Ok(Self(raw))
    }

    /// A password as typed at login, not checked against the policy (old passwords stay valid).
    pub fn unchecked(raw: String) -> Self {
        Self(raw)
    }

    /// The secret itself; only hashers should call this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PlainPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(PlainPassword::new("Ab1".into()).unwrap_err(), PasswordPolicyError::TooShort);
        assert_eq!(PlainPassword::new("abcdefghijkl".into()).unwrap_err(), PasswordPolicyError::SingleClass);
        assert_eq!(PlainPassword::new("x".repeat(129) + "A").unwrap_err(), PasswordPolicyError::TooLong);
        assert!(PlainPassword::new("abcdefghij1".into()).is_ok());
        assert!(PlainPassword::new("correct horse".into()).is_ok());
        assert_eq!(format!("{:?}", PlainPassword::new("Secret1234!".into()).unwrap()), "PlainPassword(<redacted>)");
    }
}
