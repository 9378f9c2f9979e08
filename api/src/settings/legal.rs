//! The legal texts users accept: the terms of use and the privacy policy, each a Markdown file
//! and a version the operator sets (`BOTFLEET_TERMS_FILE` / `BOTFLEET_TERMS_VERSION`,
//! `BOTFLEET_PRIVACY_FILE` / `BOTFLEET_PRIVACY_VERSION`). The defaults are the texts shipped in
//! `api/legal/`. A file without its version is refused: a changed text must carry a new version,
//! which users then accept again before starting bots.

use domain::legal::{DocumentKind, DocumentVersion, LegalDocument, LegalTexts};

use super::Env;

/// The version of the shipped terms of use.
pub const DEFAULT_TERMS_VERSION: &str = "2026-12-01";
/// The version of the shipped privacy policy.
pub const DEFAULT_PRIVACY_VERSION: &str = "2026-12-01";

const DEFAULT_TERMS: &str = include_str!("../../legal/terms.md");
const DEFAULT_PRIVACY: &str = include_str!("../../legal/privacy.md");

/// The legal texts in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegalSettings {
    /// Terms of use and privacy policy.
    pub texts: LegalTexts,
}

struct Vars {
    kind: DocumentKind,
    version: &'static str,
    file: &'static str,
    default_version: &'static str,
    default_text: &'static str,
}

impl LegalSettings {
    /// Reads the four variables.
    pub(super) fn load(env: &mut Env) -> Self {
        let terms = Vars {
            kind: DocumentKind::Terms,
            version: "BOTFLEET_TERMS_VERSION",
            file: "BOTFLEET_TERMS_FILE",
            default_version: DEFAULT_TERMS_VERSION,
            default_text: DEFAULT_TERMS,
        };
        let privacy = Vars {
            kind: DocumentKind::Privacy,
            version: "BOTFLEET_PRIVACY_VERSION",
            file: "BOTFLEET_PRIVACY_FILE",
            default_version: DEFAULT_PRIVACY_VERSION,
            default_text: DEFAULT_PRIVACY,
        };
        Self { texts: LegalTexts { terms: document(env, &terms), privacy: document(env, &privacy) } }
    }
}

fn document(env: &mut Env, vars: &Vars) -> LegalDocument {
    let fallback = || DocumentVersion::parse(vars.default_version).expect("the shipped version is valid");
    let version = match env.raw(vars.version).map(|raw| DocumentVersion::parse(&raw)) {
        None => fallback(),
        Some(Ok(version)) => version,
        Some(Err(err)) => {
            env.error(vars.version, format!("expected a version like `2026-12-01` or `v3`: {err}"));
            fallback()
        }
    };
    let text = match env.raw(vars.file) {
        None => vars.default_text.to_owned(),
        Some(path) => {
            if env.raw(vars.version).is_none() {
                env.error(vars.version, format!("must be set with {}: a new text needs a new version", vars.file));
            }
            match std::fs::read_to_string(path.trim()) {
                Ok(text) if !text.trim().is_empty() => text,
                Ok(_) => {
                    env.error(vars.file, format!("`{}` is empty", path.trim()));
                    String::new()
                }
                Err(err) => {
                    env.error(vars.file, format!("cannot read `{}`: {err}", path.trim()));
                    String::new()
                }
            }
        }
    };
    LegalDocument { kind: vars.kind, version, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn the_shipped_texts_are_the_default() {
        let texts = Settings::dev_with(&[]).unwrap().legal.texts;
        assert_eq!(texts.terms.version.as_str(), DEFAULT_TERMS_VERSION);
        assert!(texts.terms.text.contains("Terms of Use") && texts.privacy.text.contains("Privacy Policy"));
    }

    #[test]
    fn the_operator_sets_text_and_version_together() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("terms.md");
        std::fs::write(&file, "# Our terms v2").unwrap();
        let path = file.to_str().unwrap();

        let texts =
            Settings::dev_with(&[("BOTFLEET_TERMS_FILE", path), ("BOTFLEET_TERMS_VERSION", "v2")]).unwrap().legal.texts;
        assert_eq!((texts.terms.version.as_str(), texts.terms.text.as_str()), ("v2", "# Our terms v2"));
        assert_eq!(texts.privacy.version.as_str(), DEFAULT_PRIVACY_VERSION);

        let err = Settings::dev_with(&[("BOTFLEET_TERMS_FILE", path)]).unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_TERMS_VERSION"]);
        let err =
            Settings::dev_with(&[("BOTFLEET_PRIVACY_FILE", "/nonexistent/p.md"), ("BOTFLEET_PRIVACY_VERSION", "2")])
                .unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_PRIVACY_FILE"]);
        assert_eq!(
            Settings::dev_with(&[("BOTFLEET_TERMS_VERSION", "v 2")]).unwrap_err().vars(),
            ["BOTFLEET_TERMS_VERSION"]
        );
    }
}
