//! The failures of the credential use cases, in their own terms. `api` maps each variant to its
//! problem code in one place (`api/src/error/map`).

use domain::credentials::ExchangeId;

use crate::{FieldError, Unexpected};

/// Why an exchange credential cannot be added, read, validated or removed.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Fields break the rules (also a key that can withdraw funds, on `api_key`).
    #[error("one or more fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The user already has a credential for this exchange.
    #[error("a credential for {exchange} already exists; delete it before adding another")]
    Exists {
        /// The exchange.
        exchange: ExchangeId,
    },
    /// No such credential for this user.
    #[error("credential not found")]
    NotFound,
    /// The exchange could not be reached to validate the key.
    #[error("{exchange} could not be reached to validate the key; try again later")]
    ExchangeUnreachable {
        /// The exchange.
        exchange: ExchangeId,
    },
    /// The store, the cipher or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(CredentialError);
