//! The backoffice's random values and their stored hashes: session cookies, CSRF tokens,
//! generated passwords and recovery codes.

use rand::{Rng as _, RngCore as _};
use sha2::{Digest as _, Sha256};

/// 256 random bits, URL-safe base64 (a session cookie, a CSRF token).
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

/// The SHA-256 (hex) under which a token or a recovery code is stored.
pub(crate) fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Characters of recovery codes: no 0/O or 1/I/L to misread.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// How many recovery codes an enrolment issues.
pub(crate) const RECOVERY_CODES: usize = 10;

/// A recovery code, `XXXXX-XXXXX` (about 49 random bits).
pub(crate) fn recovery_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let mut pick = || char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]);
    let head: String = (0..5).map(|_| pick()).collect();
    let tail: String = (0..5).map(|_| pick()).collect();
    format!("{head}-{tail}")
}

/// A recovery code as typed, reduced to the form that is hashed: upper case, no dash or space.
pub(crate) fn normalise_recovery_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// A generated password of 24 characters from upper, lower case letters and digits (about 140
/// bits), which passes the password policy's mix.
pub(crate) fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    loop {
        let password: String = (0..24).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
        let mixed =
            password.chars().any(|c| c.is_ascii_lowercase()) && password.chars().any(|c| c.is_ascii_uppercase());
        if mixed {
            return password;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_normalise_to_their_hashed_form() {
        let code = recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(normalise_recovery_code(&code.to_lowercase()), code.replace('-', ""));
        assert_ne!(recovery_code(), recovery_code());
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        for _ in 0..20 {
            assert!(domain::identity::PlainPassword::new(generated_password()).is_ok());
        }
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        assert_ne!(random_token(), random_token());
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
