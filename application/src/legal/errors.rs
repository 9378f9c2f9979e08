//! The failures of the legal use cases (consents), in their own terms. `api` maps each variant
//! to its problem code in one place (`api/src/error/map`).

use domain::legal::{ConsentsRequired, DocumentKind};

use crate::{FieldError, Unexpected};

/// Why consents cannot be read or changed, or why an action needing them is refused.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    /// The change asks for nothing, or a field breaks a rule.
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The client accepted a version of `kind` that is no longer in force.
    #[error("version {shown} is no longer in force; read version {current} and accept it")]
    VersionOutdated {
        /// Terms of use or privacy policy.
        kind: DocumentKind,
        /// The version the client showed.
        shown: String,
        /// The version in force.
        current: String,
    },
    /// The text in force is not accepted yet (required before a bot starts).
    #[error("{missing}: read GET /api/legal/{}, then POST /api/legal/consents", document(.missing))]
    NotAccepted {
        /// Which text.
        missing: ConsentsRequired,
    },
    /// The user does not exist or is not active.
    #[error("user not found")]
    UserNotFound,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

fn document(missing: &ConsentsRequired) -> &'static str {
    match missing {
        ConsentsRequired::Terms { .. } => "terms",
        ConsentsRequired::Privacy { .. } => "privacy",
    }
}

crate::unexpected_from!(ConsentError);
