//! Access tokens: HS256 JSON Web Tokens whose expiry is checked against the caller's clock.

use anyhow::{bail, Context};
use domain::identity::{AccessClaims, TokenError, TokenIssuer};
use domain::shared::ids::UserId;
use domain::shared::secret::Secret;
use domain::subscriptions::Plan;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::jwt_cache::{Verified, VerifiedTokens, CAPACITY};

/// How long an access token lives unless [`JwtIssuer::with_access_ttl`] says otherwise.
pub const DEFAULT_ACCESS_TTL: Duration = Duration::minutes(15);

/// The shortest accepted HMAC secret, in bytes (the output size of SHA-256).
pub const MIN_SECRET_LEN: usize = 32;

/// How far in the future `iat` and `nbf` may lie and still be accepted: the clock skew tolerated
/// between the instances of one deployment. Anything later is refused as invalid.
pub const FUTURE_LEEWAY: Duration = Duration::seconds(5);

/// Why a [`JwtIssuer`] could not be built. Never shows the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtConfigError {
    /// The signing secret is shorter than [`MIN_SECRET_LEN`].
    #[error("JWT secret must be at least 32 bytes, got {got}")]
    SecretTooShort {
        /// Its length in bytes.
        got: usize,
    },
    /// The issuer (`iss`) is empty.
    #[error("JWT issuer must not be empty")]
    EmptyIssuer,
    /// The audience (`aud`) is empty.
    #[error("JWT audience must not be empty")]
    EmptyAudience,
    /// The access-token lifetime is zero or negative.
    #[error("JWT access-token lifetime must be positive")]
    NonPositiveTtl,
}

/// The wire form of the claims. Every field is required but `nbf` (never issued, checked when
/// present) and `gen` (absent in tokens issued before session generations: generation 0).
#[derive(Debug, Serialize, Deserialize)]
struct WireClaims {
    sub: String,
    email: String,
    plan: Plan,
    iat: i64,
    exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
    #[serde(default)]
    r#gen: u64,
    jti: String,
    iss: String,
    aud: String,
}

/// [`TokenIssuer`] signing JWTs with HMAC-SHA-256.
///
/// Claims: `sub` (user id), `email`, `plan`, `iat`, `exp`, `jti`, `iss`, `aud`, all required, and
/// `gen` (the user's session generation). Verification accepts HS256 only (`none`, HS384, HS512
/// and every asymmetric algorithm are refused), then checks `iss` and `aud` for equality and `exp`
/// against the `now` it is given, with no leeway: a token is valid while `now < exp`. A token
/// whose `iat` or `nbf` lies more than [`FUTURE_LEEWAY`] after `now` is refused as invalid (a token
/// from the future is either forged with a leaked key or from a clock gone wrong). A bad signature
/// is always [`TokenError::Invalid`], even when the token is also past its expiry. `Debug` redacts
/// the secret.
pub struct JwtIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    access_ttl: Duration,
    /// Tokens that passed [`Self::decode`], so that a token is decoded once, not per request.
    verified: VerifiedTokens,
}

impl JwtIssuer {
    /// An issuer signing with `secret` (at least [`MIN_SECRET_LEN`] bytes, ideally random) as
    /// `issuer` for `audience`, with [`DEFAULT_ACCESS_TTL`].
    pub fn new(secret: &Secret, issuer: &str, audience: &str) -> Result<Self, JwtConfigError> {
        let secret = secret.expose().as_bytes();
        if secret.len() < MIN_SECRET_LEN {
            return Err(JwtConfigError::SecretTooShort { got: secret.len() });
        }
        if issuer.is_empty() {
            return Err(JwtConfigError::EmptyIssuer);
        }
        if audience.is_empty() {
            return Err(JwtConfigError::EmptyAudience);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked in `verify` against the injected `now`, not the system clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            access_ttl: DEFAULT_ACCESS_TTL,
            verified: VerifiedTokens::new(CAPACITY),
        })
    }

    /// The same issuer with access tokens living `ttl`.
    pub fn with_access_ttl(mut self, ttl: Duration) -> Result<Self, JwtConfigError> {
        if !ttl.is_positive() {
            return Err(JwtConfigError::NonPositiveTtl);
        }
        self.access_ttl = ttl;
        Ok(self)
    }

    /// What of `token` does not depend on the time: algorithm (HS256 only), signature, required
    /// claims, `iss`, `aud`, the claims' form, `exp` after `iat`. Errors: `Invalid`.
    fn decode(&self, token: &str) -> Result<Verified, TokenError> {
        let wire = jsonwebtoken::decode::<WireClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        let user_id = UserId::parse(&wire.sub).ok_or(TokenError::Invalid)?;
        let issued_at = OffsetDateTime::from_unix_timestamp(wire.iat).map_err(|_| TokenError::Invalid)?;
        let expires_at = OffsetDateTime::from_unix_timestamp(wire.exp).map_err(|_| TokenError::Invalid)?;
        if expires_at <= issued_at {
            return Err(TokenError::Invalid);
        }
        let claims = AccessClaims {
            user_id,
            email: wire.email,
            plan: wire.plan,
            jti: wire.jti,
            issued_at,
            expires_at,
            generation: wire.r#gen,
        };
        Ok(Verified { claims, not_before: wire.nbf })
    }
}

impl TokenIssuer for JwtIssuer {
    fn issue(&self, claims: &AccessClaims) -> anyhow::Result<String> {
        if claims.expires_at <= claims.issued_at {
            bail!("access token would expire before it is issued");
        }
        let wire = WireClaims {
            sub: claims.user_id.to_string(),
            email: claims.email.clone(),
            plan: claims.plan,
            iat: claims.issued_at.unix_timestamp(),
            exp: claims.expires_at.unix_timestamp(),
            nbf: None,
            r#gen: claims.generation,
            jti: claims.jti.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &self.encoding).context("signing access token")
    }

    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError> {
        let verified = match self.verified.get(token) {
            Some(verified) => verified,
            None => {
                let verified = self.decode(token)?;
                self.verified.put(token, verified.clone());
                verified
            }
        };
        let claims = verified.claims;
        let latest_start = now + FUTURE_LEEWAY;
        if claims.issued_at > latest_start || verified.not_before.is_some_and(|nbf| nbf > latest_start.unix_timestamp())
        {
            return Err(TokenError::Invalid);
        }
        if now >= claims.expires_at {
            self.verified.forget(token);
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    fn access_ttl(&self) -> Duration {
        self.access_ttl
    }
}

impl std::fmt::Debug for JwtIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtIssuer")
            .field("algorithm", &Algorithm::HS256)
            .field("secret", &"<redacted>")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_ttl", &self.access_ttl)
            .finish()
    }
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
