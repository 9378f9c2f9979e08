//! Checks for the two start-up secrets (JWT secret, encryption key) and the dev-mode fallback that
//! generates them. Error messages describe the expected form and never quote the value.

use std::collections::HashSet;

use base64::Engine as _;
use zeroize::Zeroizing;

use super::{Env, Secret};

/// The smallest accepted JWT secret, in bytes (HS256 wants at least the hash size).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

const KEY_FORM: &str =
    "base64 (standard alphabet, padded) of 32 bytes, or `id:base64,id:base64` for rotation (the first is current)";

/// Accepts a JWT secret of at least [`MIN_JWT_SECRET_BYTES`] bytes.
pub fn check_jwt_secret(secret: &Secret) -> Result<(), String> {
    if secret.len() >= MIN_JWT_SECRET_BYTES {
        Ok(())
    } else {
        Err(format!(
            "must be at least {MIN_JWT_SECRET_BYTES} bytes (got {} bytes); generate one with `openssl rand -base64 48`",
            secret.len()
        ))
    }
}

/// Accepts `base64` of a 32-byte key, or `id:base64,id:base64,...` with unique ids of
/// `[A-Za-z0-9_-]`, each key 32 bytes.
pub fn check_encryption_key(key: &Secret) -> Result<(), String> {
    let raw = key.expose();
    if !raw.contains(':') {
        return if is_32_byte_base64(raw) { Ok(()) } else { Err(format!("expected {KEY_FORM}")) };
    }
    let mut ids = HashSet::new();
    for (n, entry) in raw.split(',').map(str::trim).enumerate().map(|(i, e)| (i + 1, e)) {
        let Some((id, b64)) = entry.split_once(':') else {
            return Err(format!("entry {n} has no `id:` prefix; expected {KEY_FORM}"));
        };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(format!("entry {n}: the key id must be non-empty `[A-Za-z0-9_-]`; expected {KEY_FORM}"));
        }
        if !ids.insert(id) {
            return Err(format!("entry {n}: the key id `{id}` is used twice"));
        }
        if !is_32_byte_base64(b64) {
            return Err(format!("entry {n} (id `{id}`): expected base64 (standard alphabet, padded) of 32 bytes"));
        }
    }
    Ok(())
}

fn is_32_byte_base64(b64: &str) -> bool {
    base64::engine::general_purpose::STANDARD.decode(b64).map(Zeroizing::new).is_ok_and(|bytes| bytes.len() == 32)
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
