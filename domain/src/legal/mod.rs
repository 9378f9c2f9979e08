//! Legal compliance (LGPD): the versioned legal texts (terms of use, privacy policy) and the
//! history of every user's consents, kept at least [`CONSENT_RETENTION`] even after the
//! account is deleted.

mod consent;
mod document;
mod ports;

pub use consent::{ConsentChange, ConsentRecord, ConsentSource, ConsentsRequired, CONSENT_RETENTION};
pub use document::{DocumentKind, DocumentVersion, DocumentVersionError, LegalDocument, LegalTexts};
pub use ports::ConsentRepository;
