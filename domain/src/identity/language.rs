//! The language a user reads botfleet's messages in (e-mails today, other channels later).

use serde::{Deserialize, Serialize};

/// A supported language, stored and sent as its BCP 47 tag. Brazilian Portuguese is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// Brazilian Portuguese, `pt-BR`.
    #[default]
    #[serde(rename = "pt-BR")]
    PtBr,
    /// English, `en`.
    #[serde(rename = "en")]
    En,
}

/// Why a language tag is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: pt-BR, en")]
pub struct LanguageError;

impl Language {
    /// Every supported language.
    pub const ALL: [Language; 2] = [Language::PtBr, Language::En];

    /// The tag (`pt-BR`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::PtBr => "pt-BR",
            Self::En => "en",
        }
    }

    /// The language of `tag`, compared without regard to case (`pt-br` is `pt-BR`).
    pub fn parse(tag: &str) -> Result<Self, LanguageError> {
        Self::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag.trim())).ok_or(LanguageError)
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_unknown_ones_are_refused() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.tag()), Ok(language));
        }
        assert_eq!(Language::parse("PT-br"), Ok(Language::PtBr));
        assert_eq!(Language::parse("fr"), Err(LanguageError));
        assert_eq!(Language::default(), Language::PtBr);
        assert_eq!(serde_json::to_string(&Language::PtBr).unwrap(), "\"pt-BR\"");
    }
}
