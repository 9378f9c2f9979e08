//! A normalised e-mail address.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization as _;

/// An e-mail address, trimmed, NFKC-normalised and case-folded (Unicode full case folding, then
/// NFKC again), so that `A@B.com`, `a@b.com` and `Ａ@b.com` (a fullwidth A) are one account and
/// no look-alike spelling can register beside an existing address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a string is not an acceptable e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Empty after trimming.
    #[error("must not be empty")]
    Empty,
    /// Longer than 254 characters (RFC 5321's path limit).
    #[error("must be at most 254 characters")]
    TooLong,
    /// Not of the form `local@domain.tld`.
    #[error("must look like name@example.com")]
    Malformed,
}

impl Email {
    /// Normalises and checks `raw`.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = normalise(raw.trim());
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Malformed)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty() && local.len() <= 64 && !local.chars().any(|c| c.is_whitespace() || c == '@');
        if !domain_ok || !local_ok {
            return Err(EmailError::Malformed);
        }
        Ok(Self(s))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// NFKC, full case folding, NFKC: the result is stable (normalising it again changes nothing).
fn normalise(raw: &str) -> String {
    let compatible: String = raw.nfkc().collect();
    caseless::default_case_fold_str(&compatible).nfkc().collect()
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(Email::parse("  Ana@Example.COM ").unwrap().as_str(), "ana@example.com");
    }

    #[test]
    fn compatibility_forms_and_case_fold_to_one_address() {
        let plain = Email::parse("alice@example.com").unwrap();
        for variant in
            ["\u{FF21}lice@example.com", "ALICE@EXAMPLE.COM", "Alice@\u{FF45}xample.com", "alice@EXAMPLE.com"]
        {
            assert_eq!(Email::parse(variant).unwrap(), plain, "{variant}");
        }
        // Full case folding, not just lower-casing: ß folds to ss, the fi ligature to fi.
        assert_eq!(Email::parse("Stra\u{DF}e@x.com").unwrap().as_str(), "strasse@x.com");
        assert_eq!(Email::parse("\u{FB01}le@x.com").unwrap().as_str(), "file@x.com");
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for raw in ["\u{FF21}lice@example.com", "Stra\u{DF}e@x.com", "\u{212B}ngstr\u{F6}m@x.se", "\u{3A3}\u{3A3}@x.gr"]
        {
            let once = Email::parse(raw).unwrap();
            assert_eq!(Email::parse(once.as_str()).unwrap(), once, "{raw}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "ana", "ana@", "@x.com", "ana@x", "ana@.x.com", "a b@x.com", "ana@x..com"] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
