//! The consent history: every change of a user's three consents (terms, privacy, marketing) is a
//! new entry holding the whole state, the versions accepted, when, and the client's IP and user
//! agent. Entries are kept at least [`CONSENT_RETENTION`] (the catalogue's five years), even after
//! the account is deleted.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{DocumentVersion, LegalTexts};
use crate::identity::{Consent, RequestMeta};
use crate::shared::ids::{ConsentId, UserId};

/// How long a consent entry is kept at least: five years (with one leap day).
pub const CONSENT_RETENTION: Duration = Duration::days(5 * 365 + 1);

/// What led to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// Given at sign-up.
    Registration,
    /// Changed through `POST /api/legal/consents`.
    Update,
    /// Marketing changed through the profile.
    Profile,
    /// Every consent withdrawn because the account was deleted.
    AccountDeleted,
}

/// A change asked for: `Some` sets a consent, `None` keeps it as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsentChange {
    /// Terms of use (accepting means the version in force now).
    pub terms: Option<bool>,
    /// Privacy policy (accepting means the version in force now).
    pub privacy: Option<bool>,
    /// Marketing messages.
    pub marketing: Option<bool>,
}

/// One entry of the history: the state after a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRecord {
    /// Id, sortable by time.
    pub id: ConsentId,
    /// Whose.
    pub user_id: UserId,
    /// Terms of use accepted.
    pub terms_accepted: bool,
    /// The version of the terms accepted (absent when not accepted, or unknown for accounts
    /// older than the history).
    pub terms_version: Option<DocumentVersion>,
    /// Privacy policy accepted.
    pub privacy_accepted: bool,
    /// The version of the privacy policy accepted.
    pub privacy_version: Option<DocumentVersion>,
    /// Marketing messages allowed.
    pub marketing_accepted: bool,
    /// What led to this entry.
    pub source: ConsentSource,
    /// When.
    pub at: OffsetDateTime,
    /// Client IP, when known.
    pub ip: Option<String>,
    /// Client user agent, when known.
    pub user_agent: Option<String>,
    /// Kept at least until then (`at` + [`CONSENT_RETENTION`]).
    pub retain_until: OffsetDateTime,
}

/// What a user must accept before starting bots.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsentsRequired {
    /// The terms of use in force are not accepted.
    #[error("the terms of use version {current} must be accepted first")]
    Terms {
        /// The version in force.
        current: DocumentVersion,
    },
    /// The privacy policy in force is not accepted.
    #[error("the privacy policy version {current} must be accepted first")]
    Privacy {
        /// The version in force.
        current: DocumentVersion,
    },
}

impl ConsentRecord {
    fn blank(user_id: UserId, source: ConsentSource, meta: &RequestMeta, at: OffsetDateTime) -> Self {
        Self {
            id: ConsentId::new(),
            user_id,
            terms_accepted: false,
            terms_version: None,
            privacy_accepted: false,
            privacy_version: None,
            marketing_accepted: false,
            source,
            at,
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            retain_until: at + CONSENT_RETENTION,
        }
    }

    /// The state of an account whose consents predate the history: the flags of its profile,
    /// versions unknown (so the texts in force must be accepted again).
    pub fn legacy(user_id: UserId, consent: &Consent) -> Self {
        let meta = RequestMeta { ip: consent.ip.clone(), user_agent: consent.user_agent.clone() };
        Self {
            terms_accepted: consent.terms,
            privacy_accepted: consent.privacy,
            marketing_accepted: consent.marketing,
            ..Self::blank(user_id, ConsentSource::Registration, &meta, consent.at)
        }
    }

    /// The entry after `change` to `previous` (nothing accepted when `None`): accepting a text
    /// records the version in force in `texts`; withdrawing clears the version.
    pub fn next(
        previous: Option<&ConsentRecord>,
        user_id: UserId,
        change: ConsentChange,
        texts: &LegalTexts,
        source: ConsentSource,
        meta: &RequestMeta,
        at: OffsetDateTime,
    ) -> Self {
        let mut record = Self::blank(user_id, source, meta, at);
        if let Some(p) = previous {
            record.terms_accepted = p.terms_accepted;
            record.terms_version = p.terms_version.clone();
            record.privacy_accepted = p.privacy_accepted;
            record.privacy_version = p.privacy_version.clone();
            record.marketing_accepted = p.marketing_accepted;
        }
        if let Some(terms) = change.terms {
            record.terms_accepted = terms;
            record.terms_version = terms.then(|| texts.terms.version.clone());
        }
        if let Some(privacy) = change.privacy {
            record.privacy_accepted = privacy;
            record.privacy_version = privacy.then(|| texts.privacy.version.clone());
        }
        if let Some(marketing) = change.marketing {
            record.marketing_accepted = marketing;
        }
        record
    }

    /// Every consent withdrawn: the last entry of a deleted account.
    pub fn withdrawn(user_id: UserId, meta: &RequestMeta, at: OffsetDateTime) -> Self {
        Self::blank(user_id, ConsentSource::AccountDeleted, meta, at)
    }

    /// `Ok` when the terms and privacy policy in force are both accepted.
    pub fn require_current(&self, texts: &LegalTexts) -> Result<(), ConsentsRequired> {
        if !self.terms_accepted || self.terms_version.as_ref() != Some(&texts.terms.version) {
            return Err(ConsentsRequired::Terms { current: texts.terms.version.clone() });
        }
        if !self.privacy_accepted || self.privacy_version.as_ref() != Some(&texts.privacy.version) {
            return Err(ConsentsRequired::Privacy { current: texts.privacy.version.clone() });
        }
        Ok(())
    }

    /// The flags as the profile shows them.
    pub fn as_profile_consent(&self) -> Consent {
        Consent {
            terms: self.terms_accepted,
            privacy: self.privacy_accepted,
            marketing: self.marketing_accepted,
            at: self.at,
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::legal::{DocumentKind, LegalDocument};

    fn texts(terms: &str, privacy: &str) -> LegalTexts {
        let doc =
            |kind, v: &str| LegalDocument { kind, version: DocumentVersion::parse(v).unwrap(), text: "…".into() };
        LegalTexts { terms: doc(DocumentKind::Terms, terms), privacy: doc(DocumentKind::Privacy, privacy) }
    }

    fn meta() -> RequestMeta {
        RequestMeta { ip: Some("203.0.113.7".into()), user_agent: Some("agent/1".into()) }
    }

    fn accept_all() -> ConsentChange {
        ConsentChange { terms: Some(true), privacy: Some(true), marketing: Some(false) }
    }

    #[test]
    fn accepting_records_the_versions_in_force_and_who_asked() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let user = UserId::new();
        let r = ConsentRecord::next(None, user, accept_all(), &texts("t1", "p1"), ConsentSource::Update, &meta(), at);
        assert_eq!((r.terms_version.unwrap().as_str(), r.privacy_version.unwrap().as_str()), ("t1", "p1"));
        assert_eq!((r.ip.as_deref(), r.user_agent.as_deref()), (Some("203.0.113.7"), Some("agent/1")));
        assert_eq!(r.retain_until - r.at, CONSENT_RETENTION);
        assert!(CONSENT_RETENTION >= Duration::days(5 * 365));
    }

    #[test]
    fn a_new_terms_version_must_be_accepted_again() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let user = UserId::new();
        let v1 = texts("t1", "p1");
        let first = ConsentRecord::next(None, user, accept_all(), &v1, ConsentSource::Registration, &meta(), at);
        assert_eq!(first.require_current(&v1), Ok(()));

        let v2 = texts("t2", "p1");
        let current = DocumentVersion::parse("t2").unwrap();
        assert_eq!(first.require_current(&v2), Err(ConsentsRequired::Terms { current }));
        let marketing = ConsentChange { marketing: Some(true), ..Default::default() };
        let unrelated = ConsentRecord::next(Some(&first), user, marketing, &v2, ConsentSource::Profile, &meta(), at);
        assert!(unrelated.require_current(&v2).is_err(), "changing marketing accepts nothing");
        assert!(unrelated.marketing_accepted && unrelated.terms_accepted);

        let terms = ConsentChange { terms: Some(true), ..Default::default() };
        let again = ConsentRecord::next(Some(&unrelated), user, terms, &v2, ConsentSource::Update, &meta(), at);
        assert_eq!(again.require_current(&v2), Ok(()));
    }

    #[test]
    fn withdrawing_clears_the_version_and_legacy_accounts_must_accept_again() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let user = UserId::new();
        let v1 = texts("t1", "p1");
        let first = ConsentRecord::next(None, user, accept_all(), &v1, ConsentSource::Update, &meta(), at);
        let privacy = ConsentChange { privacy: Some(false), ..Default::default() };
        let off = ConsentRecord::next(Some(&first), user, privacy, &v1, ConsentSource::Update, &meta(), at);
        assert_eq!(off.privacy_version, None);
        assert!(matches!(off.require_current(&v1), Err(ConsentsRequired::Privacy { .. })));

        let legacy = ConsentRecord::legacy(user, &first.as_profile_consent());
        assert!(legacy.terms_accepted && legacy.terms_version.is_none());
        assert!(matches!(legacy.require_current(&v1), Err(ConsentsRequired::Terms { .. })));
        assert!(!ConsentRecord::withdrawn(user, &meta(), at).marketing_accepted);
    }
}
