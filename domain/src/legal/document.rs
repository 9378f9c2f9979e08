//! The legal texts users accept: each of a kind (terms of use, privacy policy) and a version
//! the operator sets; a new version must be accepted again.

use serde::{Deserialize, Serialize};

/// Which legal text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Terms of use (required).
    Terms,
    /// Privacy policy (required).
    Privacy,
}

impl DocumentKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Terms => "terms",
            DocumentKind::Privacy => "privacy",
        }
    }
}

/// A version label such as `2026-12-01` or `v3`: 1 to 40 characters among letters, digits,
/// `.`, `-` and `_`, compared exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentVersion(String);

/// Why a version label is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentVersionError {
    /// Empty after trimming.
    #[error("must not be empty")]
    Empty,
    /// Longer than 40 characters.
    #[error("must be at most 40 characters")]
    TooLong,
    /// A character outside letters, digits, `.`, `-`, `_`.
    #[error("may hold only letters, digits, `.`, `-` and `_`")]
    BadCharacter,
}

impl DocumentVersion {
    /// Trims and checks `raw`.
    pub fn parse(raw: &str) -> Result<Self, DocumentVersionError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(DocumentVersionError::Empty);
        }
        if s.len() > 40 {
            return Err(DocumentVersionError::TooLong);
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            return Err(DocumentVersionError::BadCharacter);
        }
        Ok(Self(s.to_owned()))
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DocumentVersion {
    type Error = DocumentVersionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DocumentVersion> for String {
    fn from(value: DocumentVersion) -> Self {
        value.0
    }
}

impl std::fmt::Display for DocumentVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One legal text in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegalDocument {
    /// Which text.
    pub kind: DocumentKind,
    /// Its version.
    pub version: DocumentVersion,
    /// The text itself (Markdown).
    pub text: String,
}

/// The texts in force on this server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegalTexts {
    /// Terms of use.
    pub terms: LegalDocument,
    /// Privacy policy.
    pub privacy: LegalDocument,
}

impl LegalTexts {
    /// The text of `kind`.
    pub fn get(&self, kind: DocumentKind) -> &LegalDocument {
        match kind {
            DocumentKind::Terms => &self.terms,
            DocumentKind::Privacy => &self.privacy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_short_plain_labels() {
        assert_eq!(DocumentVersion::parse(" 2026-12-01 ").unwrap().as_str(), "2026-12-01");
        assert!(DocumentVersion::parse("v1.2_rc-3").is_ok());
        assert_eq!(DocumentVersion::parse("  "), Err(DocumentVersionError::Empty));
        assert_eq!(DocumentVersion::parse(&"9".repeat(41)), Err(DocumentVersionError::TooLong));
        for bad in ["v 2", "v/2", "<v2>", "vé"] {
            assert_eq!(DocumentVersion::parse(bad), Err(DocumentVersionError::BadCharacter), "{bad}");
        }
    }
}
