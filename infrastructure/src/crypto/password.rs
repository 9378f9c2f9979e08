//! Password hashing with argon2id, stored as PHC strings.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::identity::{PasswordHasher, PlainPassword};
use rand::rngs::OsRng;

use super::random_token;

/// Production memory cost in KiB (19 MiB): OWASP's minimum for argon2id.
pub const PRODUCTION_MEMORY_KIB: u32 = 19_456;
/// Production number of passes.
pub const PRODUCTION_ITERATIONS: u32 = 2;
/// Production degree of parallelism.
pub const PRODUCTION_PARALLELISM: u32 = 1;

/// The argon2 parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid argon2 parameters: {0}")]
pub struct Argon2ParamsError(String);

/// [`PasswordHasher`] with argon2id (v19), a fresh random 16-byte salt per hash and PHC output
/// (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`).
///
/// Verification reads the parameters from the stored PHC string, so hashes made under older
/// parameters keep verifying after the parameters change.
pub struct Argon2Hasher {
    argon2: Argon2<'static>,
    /// A hash, with the same parameters, of a random password nobody knows; see `verify_dummy`.
    dummy_phc: String,
}

impl Argon2Hasher {
    /// The production hasher: m = [`PRODUCTION_MEMORY_KIB`] KiB, t = [`PRODUCTION_ITERATIONS`],
    /// p = [`PRODUCTION_PARALLELISM`] (OWASP's minimum for argon2id). Computes one hash up front
    /// for [`PasswordHasher::verify_dummy`].
    pub fn production() -> Self {
        Self::with_params(PRODUCTION_MEMORY_KIB, PRODUCTION_ITERATIONS, PRODUCTION_PARALLELISM)
            .expect("the production argon2 parameters are valid")
    }

    /// TEST ONLY: argon2id with the smallest parameters (m = 8 KiB, t = 1, p = 1) so test suites
    /// hash in microseconds. These hashes are trivial to brute-force; never use this in a deployed
    /// service.
    pub fn fast_for_tests() -> Self {
        Self::with_params(8, 1, 1).expect("the test argon2 parameters are valid")
    }

    /// argon2id with `memory_kib` KiB of memory (at least 8 per lane), `iterations` passes and
    /// `parallelism` lanes. Errors when argon2 refuses the combination.
    pub fn with_params(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, Argon2ParamsError> {
        let params =
            Params::new(memory_kib, iterations, parallelism, None).map_err(|err| Argon2ParamsError(err.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_phc =
            hash_with(&argon2, random_token(32).as_bytes()).map_err(|err| Argon2ParamsError(err.to_string()))?;
        Ok(Self { argon2, dummy_phc })
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &[u8]) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2.hash_password(password, &salt)?.to_string())
}

impl PasswordHasher for Argon2Hasher {
    fn hash(&self, password: &PlainPassword) -> anyhow::Result<String> {
        hash_with(&self.argon2, password.expose().as_bytes()).map_err(|err| anyhow::anyhow!("argon2 hashing: {err}"))
    }

    fn verify(&self, password: &PlainPassword, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => self.argon2.verify_password(password.expose().as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }

    fn verify_dummy(&self, password: &PlainPassword) {
        // Same code path and parameters as a real check against a wrong password.
        let _ = self.verify(password, &self.dummy_phc);
    }
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let params = self.argon2.params();
        f.debug_struct("Argon2Hasher")
            .field("algorithm", &"argon2id")
            .field("memory_kib", &params.m_cost())
            .field("iterations", &params.t_cost())
            .field("parallelism", &params.p_cost())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(s: &str) -> PlainPassword {
        PlainPassword::unchecked(s.to_owned())
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hasher = Argon2Hasher::fast_for_tests();

        let phc = hasher.hash(&password("Correct horse 1")).unwrap();

        assert!(hasher.verify(&password("Correct horse 1"), &phc));
        assert!(!hasher.verify(&password("Correct horse 2"), &phc));
        assert!(!hasher.verify(&password(""), &phc));
    }

    #[test]
    fn hashes_are_argon2id_phc_strings_with_fresh_salts() {
        let hasher = Argon2Hasher::with_params(64, 3, 2).unwrap();

        let a = hasher.hash(&password("Secret1234!")).unwrap();
        let b = hasher.hash(&password("Secret1234!")).unwrap();

        assert!(a.starts_with("$argon2id$v=19$m=64,t=3,p=2$"), "{a}");
        assert_eq!(PasswordHash::new(&a).unwrap().algorithm.as_str(), "argon2id");
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_phc_strings_are_false() {
        let hasher = Argon2Hasher::fast_for_tests();
        let good = hasher.hash(&password("Secret1234!")).unwrap();
        let truncated = &good[..good.len() - 10];
        let no_hash = good.rsplit_once('$').unwrap().0;

        for phc in ["", "plain", "$argon2id$", "$argon2id$v=19$m=8,t=1,p=1$$", truncated, no_hash] {
            assert!(!hasher.verify(&password("Secret1234!"), phc), "{phc:?}");
        }
    }

    #[test]
    fn hashes_made_with_other_params_still_verify() {
        let old = Argon2Hasher::with_params(32, 1, 1).unwrap().hash(&password("Secret1234!")).unwrap();
        assert!(Argon2Hasher::fast_for_tests().verify(&password("Secret1234!"), &old));
    }

    #[test]
    fn the_dummy_hash_uses_the_configured_params_and_matches_no_given_password() {
        let hasher = Argon2Hasher::with_params(16, 2, 1).unwrap();

        hasher.verify_dummy(&password("Secret1234!"));

        assert!(hasher.dummy_phc.starts_with("$argon2id$v=19$m=16,t=2,p=1$"), "{}", hasher.dummy_phc);
        assert!(!hasher.verify(&password("Secret1234!"), &hasher.dummy_phc));
    }

    #[test]
    fn production_params_are_owasp_minimum() {
        let debug = format!("{:?}", Argon2Hasher::production());
        assert!(debug.contains("memory_kib: 19456, iterations: 2, parallelism: 1"), "{debug}");
    }

    #[test]
    fn invalid_params_are_refused() {
        assert!(Argon2Hasher::with_params(4, 1, 1).is_err());
        assert!(Argon2Hasher::with_params(8, 0, 1).is_err());
    }
}
