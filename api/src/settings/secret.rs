//! `Secret`: a string that never shows up in logs, panics or error messages.

use std::fmt;

use base64::Engine as _;
use rand::RngCore as _;
use zeroize::Zeroize;

/// A secret value (JWT signing secret, encryption keys, connection strings with passwords).
///
/// `Debug` and `Display` print `[REDACTED]`; the value is wiped from memory on drop. Read it with
/// [`Secret::expose`] only where it is handed to the library that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// `len` random bytes from the OS generator, base64-encoded (standard alphabet, padded).
    pub fn generate(len: usize) -> Self {
        let mut bytes = vec![0_u8; len];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        bytes.zeroize();
        Self(encoded)
    }

    /// The secret itself. Never log or format the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The length of the secret in bytes (safe to log).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact_the_value() {
        let secret = Secret::new("hunter2-hunter2");

        assert_eq!(format!("{secret:?}"), "[REDACTED]");
        assert_eq!(format!("{secret}"), "[REDACTED]");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some([REDACTED])");
        assert_eq!(secret.expose(), "hunter2-hunter2");
    }

    #[test]
    fn generated_secrets_are_random_base64_of_the_requested_length() {
        let (a, b) = (Secret::generate(32), Secret::generate(32));

        assert_ne!(a, b);
        let decoded = base64::engine::general_purpose::STANDARD.decode(a.expose()).unwrap();
        assert_eq!(decoded.len(), 32);
    }
}
