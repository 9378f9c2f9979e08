//! Checks for the two start-up secrets (JWT secret, encryption key) and the dev-mode fallback that
//! generates them. Error messages describe the expected form and never quote the value.

use super::{Env, Secret};

/// The smallest accepted JWT secret, in bytes: the JWT adapter's own bound.
pub const MIN_JWT_SECRET_BYTES: usize = infrastructure::crypto::MIN_SECRET_LEN;

/// Accepts what the JWT adapter accepts (at least [`MIN_JWT_SECRET_BYTES`] bytes), checked by
/// the adapter's own constructor so the settings and the adapter cannot disagree.
pub fn check_jwt_secret(secret: &Secret) -> Result<(), String> {
    match infrastructure::crypto::JwtIssuer::new(secret, "check", "check") {
        Ok(_) => Ok(()),
        Err(_) => Err(format!(
            "must be at least {MIN_JWT_SECRET_BYTES} bytes (got {} bytes); generate one with `openssl rand -base64 48`",
            secret.len()
        )),
    }
}

/// Accepts what the cipher accepts (`base64` of a 32-byte key, or `id:base64,id:base64,...` with
/// unique ids of 1 to 32 `[A-Za-z0-9_-]`), parsed by the cipher itself: one parser, so a value
/// that passes here never fails at start-up. Its errors name the entry, never the key.
pub fn check_encryption_key(key: &Secret) -> Result<(), String> {
    infrastructure::crypto::AesGcmCipher::from_env_value(key).map(drop).map_err(|e| {
        let message = e.to_string();
        message.strip_prefix("BOTFLEET_ENCRYPTION_KEY: ").map_or(message.clone(), str::to_owned)
    })
}

/// Reads a secret that must be present and valid. When it is unset and dev mode is on, a random
/// one is generated and `var` is recorded in `generated` (start-up warns about it).
pub(super) fn required_secret(
    env: &mut Env,
    var: &'static str,
    dev_mode: bool,
    generated: &mut Vec<&'static str>,
    generate: impl FnOnce() -> Secret,
    check: impl Fn(&Secret) -> Result<(), String>,
) -> Secret {
    match env.secret(var) {
        Some(secret) => {
            if let Err(message) = check(&secret) {
                env.error(var, message);
            }
            secret
        }
        None if dev_mode => {
            generated.push(var);
            generate()
        }
        None => {
            env.error(
                var,
                "is required; set it, or start with `--dev` (BOTFLEET_DEV_MODE=true) to generate a throwaway one",
            );
            Secret::new("")
        }
    }
}
