//! Fresh random secrets for dev mode. The `Secret` type itself lives in `domain::shared::secret`;
//! generating one needs the OS random generator, an IO concern the domain does not have.

use base64::Engine as _;
use rand::RngCore as _;
use zeroize::Zeroize as _;

use super::Secret;

/// `len` random bytes from the OS generator, base64-encoded (standard alphabet, padded).
pub fn generate(len: usize) -> Secret {
    let mut bytes = vec![0_u8; len];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    bytes.zeroize();
    Secret::new(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_random_base64_of_the_requested_length() {
        let (a, b) = (generate(32), generate(32));

        assert_ne!(a, b);
        let decoded = base64::engine::general_purpose::STANDARD.decode(a.expose()).unwrap();
        assert_eq!(decoded.len(), 32);
        assert_eq!(format!("{a:?} {a}"), "[REDACTED] [REDACTED]");
    }
}
