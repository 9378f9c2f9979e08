//! Security adapters: secret encryption at rest (AES-256-GCM), access tokens (JWT HS256),
//! password hashing (argon2id), and random tokens and digests for refresh tokens.

mod aes;
mod jwt;
mod jwt_cache;
mod password;

pub use aes::{AesGcmCipher, EncryptionKeyError, DEFAULT_KEY_ID, DEV_KEY_ID, ENCRYPTION_KEY_ENV};
pub use jwt::{JwtConfigError, JwtIssuer, DEFAULT_ACCESS_TTL, MIN_SECRET_LEN};
pub use password::{
    Argon2Hasher, Argon2ParamsError, PRODUCTION_ITERATIONS, PRODUCTION_MEMORY_KIB, PRODUCTION_PARALLELISM,
};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// `bytes` random bytes from the operating system, as unpadded URL-safe base64 (for refresh
/// tokens: 32 bytes give 256 bits of entropy in 43 characters).
pub fn random_token(bytes: usize) -> String {
    let mut buf = Zeroizing::new(vec![0u8; bytes]);
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf.as_slice())
}

/// Lower-case hex SHA-256 of `input` (how refresh tokens are stored and looked up).
pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_url_safe_unpadded_and_distinct() {
        let a = random_token(32);
        let b = random_token(32);

        assert_eq!(a.len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{a}");
        assert_ne!(a, b);
        assert_eq!(random_token(0), "");
    }

    #[test]
    fn sha256_hex_matches_the_known_vector() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
