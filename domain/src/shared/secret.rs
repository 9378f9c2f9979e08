//! `Secret`: the one type every secret travels in (settings, exchange credentials, payment and
//! crypto keys). Built on `secrecy`, so the value is zeroized on drop and never formatted.

use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};
use subtle::ConstantTimeEq as _;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string: an exchange API secret, a payment provider's key or webhook secret, the JWT
/// signing secret, the encryption keys, a connection string with a password.
///
/// `Debug` and `Display` print `[REDACTED]`; the heap copy is overwritten with zeros on drop (and
/// each clone owns and wipes its own copy). There is deliberately no `Serialize`: a secret never
/// goes back out in a document or a response. Read it with [`Secret::expose`] only at the point
/// where it is handed to the library that needs it (an HMAC, a bearer header, a cipher).
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value, taking ownership so no plain copy is left behind by this call.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret itself. Never log or format the result, and do not keep copies of it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The length of the secret in bytes (safe to log).
    pub fn len(&self) -> usize {
        self.expose().len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// Compares in time independent of where the values differ (lengths may still leak).
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose().as_bytes().ct_eq(other.expose().as_bytes()).into()
    }
}

impl Eq for Secret {}

impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// `SecretString` wipes its buffer in its own `Drop`.
impl ZeroizeOnDrop for Secret {}

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
        assert_eq!(format!("{:#?}", vec![secret.clone()]), "[\n    [REDACTED],\n]");
        assert_eq!(secret.expose(), "hunter2-hunter2");
        assert_eq!((secret.len(), secret.is_empty()), (15, false));
    }

    #[test]
    fn equality_compares_the_values() {
        assert_eq!(Secret::new("abc"), Secret::from("abc"));
        assert_ne!(Secret::new("abc"), Secret::new("abd"));
        assert_ne!(Secret::new("abc"), Secret::new("abcd"));
        assert!(Secret::new("").is_empty());
    }

    #[test]
    fn zeroize_overwrites_the_value_and_clones_are_independent() {
        let mut secret = Secret::new("hunter2");
        let copy = secret.clone();

        secret.zeroize();

        assert!(secret.expose().bytes().all(|b| b == 0), "wiped in place");
        assert_eq!(copy.expose(), "hunter2", "a clone owns its own buffer");
    }

    #[test]
    fn drop_zeroizes() {
        // `SecretBox` calls `zeroize` from `Drop`; reading freed memory would need `unsafe`, so
        // this pins the guarantee at compile time instead.
        fn wiped_on_drop<T: ZeroizeOnDrop>() {}
        wiped_on_drop::<Secret>();
        wiped_on_drop::<SecretString>();
    }
}
