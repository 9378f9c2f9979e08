//! RFC 6238 one-time codes through `totp-rs`: SHA-1, 6 digits, 30-second steps, one step of
//! skew either way. Verification returns the step a code belongs to, so the caller can refuse
//! a step already used (no replay within the window).

use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per step.
pub(crate) const STEP_SECS: u64 = 30;
/// The issuer shown in authenticator apps.
const ISSUER: &str = "botfleet backoffice";

/// A fresh 160-bit secret (RFC 4226's recommended length), base32.
pub(crate) fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret_base32: &str, account: &str) -> anyhow::Result<TOTP> {
    let bytes =
        Secret::Encoded(secret_base32.to_owned()).to_bytes().map_err(|e| anyhow::anyhow!("TOTP secret: {e:?}"))?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, bytes, Some(ISSUER.to_owned()), account.to_owned())
        .map_err(|e| anyhow::anyhow!("TOTP parameters: {e:?}"))
}

/// The `otpauth://totp/...` URI an authenticator app enrols from (shown once, as a QR code).
pub(crate) fn otpauth_uri(secret_base32: &str, account: &str) -> anyhow::Result<String> {
    Ok(totp(secret_base32, account)?.get_url())
}

/// The time step of `unix_secs`.
pub(crate) fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// The step (the current one, or one before or after for clock skew) whose code is `code`, if
/// any. Compares in constant time.
pub(crate) fn matching_step(
    secret_base32: &str,
    account: &str,
    code: &str,
    unix_secs: u64,
) -> anyhow::Result<Option<u64>> {
    let totp = totp(secret_base32, account)?;
    let now = step_of(unix_secs);
    let found = [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| bool::from(totp.generate(step * STEP_SECS).as_bytes().ct_eq(code.as_bytes())));
    Ok(found)
}

/// The code at `unix_secs`.
#[cfg(test)]
fn code_at(secret_base32: &str, account: &str, unix_secs: u64) -> anyhow::Result<String> {
    Ok(totp(secret_base32, account)?.generate(unix_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // Appendix B lists 8-digit codes; 6-digit codes are their last six digits.
        for (time, eight_digits) in
            [(59, "94287082"), (1_111_111_109, "07081804"), (1_234_567_890, "89005924"), (2_000_000_000, "69279037")]
        {
            assert_eq!(code_at(RFC_SECRET, "a@b.c", time).unwrap(), eight_digits[2..]);
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_neighbours_only() {
        let secret = new_secret();
        let at = 1_700_000_000;
        let code = code_at(&secret, "a@b.c", at).unwrap();
        assert_eq!(matching_step(&secret, "a@b.c", &code, at).unwrap(), Some(step_of(at)));
        assert_eq!(matching_step(&secret, "a@b.c", &code, at + STEP_SECS).unwrap(), Some(step_of(at)));
        assert_eq!(matching_step(&secret, "a@b.c", &code, at + 3 * STEP_SECS).unwrap(), None);
        assert_eq!(matching_step(&secret, "a@b.c", "000000x", at).unwrap(), None);
    }

    #[test]
    fn the_uri_names_the_issuer_account_and_secret() {
        let secret = new_secret();
        let uri = otpauth_uri(&secret, "ana@staff.example").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(&format!("secret={secret}")) && uri.contains("ana%40staff.example"), "{uri}");
    }
}
