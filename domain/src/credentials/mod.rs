//! Exchange API credentials: stored encrypted, never shown back.

mod credential;
mod ports;

pub use credential::{ApiKeyLast4, CredentialStatus, EncryptedValue, ExchangeCredential};
pub use crate::exchange::{ExchangeId, UnknownExchange};
pub use ports::{CredentialRepository, SecretCipher};
