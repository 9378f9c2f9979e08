//! Idempotency keys derived from the request itself, so a retried request carries the same key.
//!
//! The key is `botfleet-<scope>-<hex SHA-256 of the caller's key and the exact payload>`: the same
//! request (same caller key, same fields) always yields the same key, so the provider replays its
//! first answer instead of creating a second checkout; a different request under a reused caller key
//! yields a different key instead of a provider error ("same key, different parameters").

use sha2::{Digest, Sha256};

/// Providers' limit on the key's length (Stripe: 255 characters).
pub(crate) const MAX_KEY_LEN: usize = 255;

/// The idempotency key of `payload` sent for `scope` (`stripe-checkout`, `mp-preapproval`, …) under
/// the caller's `caller_key`.
pub(crate) fn derive_key(scope: &str, caller_key: &str, payload: &[u8]) -> String {
    let mut hasher = Sha256::new();
    // Length-prefixed, so no two (caller key, payload) pairs hash the same bytes.
    hasher.update((caller_key.len() as u64).to_be_bytes());
    hasher.update(caller_key.as_bytes());
    hasher.update(payload);
    let key = format!("botfleet-{scope}-{}", hex::encode(hasher.finalize()));
    debug_assert!(key.len() <= MAX_KEY_LEN);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_request_same_key() {
        let a = derive_key("stripe-checkout", "k1", b"mode=subscription");
        let b = derive_key("stripe-checkout", "k1", b"mode=subscription");
        assert_eq!(a, b);
        assert!(a.starts_with("botfleet-stripe-checkout-") && a.len() == "botfleet-stripe-checkout-".len() + 64);
    }

    #[test]
    fn any_difference_changes_the_key() {
        let base = derive_key("stripe-checkout", "k1", b"plan=PRO");
        assert_ne!(base, derive_key("stripe-checkout", "k2", b"plan=PRO"));
        assert_ne!(base, derive_key("stripe-checkout", "k1", b"plan=MAX"));
        assert_ne!(base, derive_key("mp-preapproval", "k1", b"plan=PRO"));
        // The boundary between key and payload is not ambiguous.
        assert_ne!(derive_key("s", "ab", b"c"), derive_key("s", "a", b"bc"));
    }
}
