//! The access tokens [`super::JwtIssuer`] verified lately, by token: what does not depend on the
//! time (signature, algorithm, issuer, audience, claims' form) is checked once per token, not
//! once per request. Only tokens that passed are kept, as their claims; the time checks (expiry,
//! `iat`/`nbf` in the future) still run at every use, against the caller's clock. Bounded:
//! the least recently used token goes first, and an expired one is dropped when met.

use std::sync::{Mutex, PoisonError};

use domain::identity::AccessClaims;
use hashlink::LruCache;

/// How many tokens are remembered: about 400 bytes each (the token and its claims).
pub(super) const CAPACITY: usize = 8_192;

/// A token's claims as verified, with its `nbf` (checked against the clock at each use).
#[derive(Clone, Debug)]
pub(super) struct Verified {
    pub(super) claims: AccessClaims,
    pub(super) not_before: Option<i64>,
}

/// Verified tokens, most recently used last.
pub(super) struct VerifiedTokens {
    tokens: Mutex<LruCache<Box<str>, Verified>>,
}

impl VerifiedTokens {
    pub(super) fn new(capacity: usize) -> Self {
        Self { tokens: Mutex::new(LruCache::new(capacity.max(1))) }
    }

    /// The claims `token` was verified to hold, if it was and is still remembered.
    pub(super) fn get(&self, token: &str) -> Option<Verified> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).get(token).cloned()
    }

    /// Remembers that `token` verified to `verified`.
    pub(super) fn put(&self, token: &str, verified: Verified) {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).insert(token.into(), verified);
    }

    /// Forgets `token` (expired: it can never verify again).
    pub(super) fn forget(&self, token: &str) {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).remove(token);
    }

    /// How many tokens are remembered (tests).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}
