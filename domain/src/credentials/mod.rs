//! Exchange API credentials: stored encrypted, never shown back.

mod credential;
mod ports;

pub use crate::exchange::{ExchangeId, UnknownExchange};
pub use credential::{ApiKeyLast4, CredentialStatus, EncryptedValue, ExchangeCredential};
pub use ports::{CredentialRepository, SecretCipher};
