//! Consent failures -> problem codes.

use application::legal::ConsentError;
use domain::legal::{ConsentsRequired, DocumentKind};

use super::ErrorCodes;
use crate::error::{ApiError, ErrorCode};

impl From<ConsentError> for ApiError {
    fn from(err: ConsentError) -> Self {
        let detail = err.to_string();
        let code = match err {
            ConsentError::Invalid(errors) => return ApiError::validation(errors),
            ConsentError::Unexpected(err) => return err.into(),
            ConsentError::VersionOutdated { kind: DocumentKind::Terms, .. } => ErrorCode::TermsVersionOutdated,
            ConsentError::VersionOutdated { kind: DocumentKind::Privacy, .. } => ErrorCode::PrivacyVersionOutdated,
            ConsentError::NotAccepted { missing: ConsentsRequired::Terms { .. } } => ErrorCode::TermsNotAccepted,
            ConsentError::NotAccepted { missing: ConsentsRequired::Privacy { .. } } => ErrorCode::PrivacyNotAccepted,
            ConsentError::UserNotFound => ErrorCode::NotFound,
        };
        ApiError::new(code, detail)
    }
}

impl ErrorCodes for ConsentError {
    const CODES: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::TermsVersionOutdated,
        ErrorCode::PrivacyVersionOutdated,
        ErrorCode::TermsNotAccepted,
        ErrorCode::PrivacyNotAccepted,
        ErrorCode::NotFound,
    ];
}
