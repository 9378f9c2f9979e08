//! Bearer tokens: obtained with OAuth2 client credentials or `POST /authorize`, cached per
//! credential (keyed by a digest, never the key or secret themselves) and renewed before expiry.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use domain::exchange::{ApiCredentials, ExchangeError};
use domain::Clock;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::client::{decode, Answer, Http};
use super::config::AuthMode;
use super::errors::read_only;
use super::limiter::Endpoint;

/// Identifies one credential in caches and limiters: SHA-256 of key and secret, so a wrong
/// secret never reuses the token of the right one. Shows only a prefix.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct CredKey(String);

impl CredKey {
    /// The digest of `creds`.
    pub fn of(creds: &ApiCredentials) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(creds.api_key.expose().as_bytes());
        hasher.update([0u8]);
        hasher.update(creds.api_secret.expose().as_bytes());
        Self(hex::encode(hasher.finalize()))
    }

    /// The digest, for limiter keys.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CredKey({}…)", &self.0[..8])
    }
}

/// A bearer token. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AccessToken(Arc<str>);

impl AccessToken {
    /// The `Authorization` header value.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

#[derive(Clone, Debug)]
struct Cached {
    token: AccessToken,
    expires_at: OffsetDateTime,
}

/// The `/authorize` body, borrowing the credentials so no owned copy of the secret is made
/// before serialization.
#[derive(Serialize)]
struct AuthorizeRequest<'a> {
    login: &'a str,
    password: &'a str,
}

#[derive(Deserialize)]
struct AuthorizeResponse {
    access_token: String,
    expiration: i64,
}

#[derive(Deserialize)]
struct OAuthResponse {
    access_token: String,
    expires_in: i64,
}

/// Why one token flow failed.
enum FlowError {
    /// The endpoint does not exist (404/405).
    Missing,
    /// The exchange refused the credentials.
    Refused(ExchangeError),
    /// Anything else (transport, rate limit, 5xx).
    Other(ExchangeError),
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// The token cache of one adapter.
#[derive(Debug)]
pub(crate) struct Tokens {
    http: Arc<Http>,
    clock: Arc<dyn Clock>,
    slots: Mutex<HashMap<CredKey, Slot>>,
    oauth_missing: AtomicBool,
}

impl Tokens {
    /// An empty cache.
    pub fn new(http: Arc<Http>, clock: Arc<dyn Clock>) -> Self {
        Self { http, clock, slots: Mutex::new(HashMap::new()), oauth_missing: AtomicBool::new(false) }
    }

    fn slot(&self, key: &CredKey) -> Slot {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner).entry(key.clone()).or_default().clone()
    }

    /// A token for `creds`: the cached one unless it expires within the renewal margin.
    /// Concurrent callers with the same credential share one authorization.
    pub async fn get(&self, creds: &ApiCredentials, key: &CredKey) -> Result<AccessToken, ExchangeError> {
        let slot = self.slot(key);
        let mut cached = slot.lock().await;
        let margin = Duration::try_from(self.http.config().token_renew_margin).unwrap_or(Duration::MINUTE);
        if let Some(c) = cached.as_ref().filter(|c| c.expires_at - margin > self.clock.now()) {
            return Ok(c.token.clone());
        }
        let fresh = self.obtain(creds).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// A new token after the exchange refused `stale` (unless another caller already replaced it).
    pub async fn renew(
        &self,
        creds: &ApiCredentials,
        key: &CredKey,
        stale: &AccessToken,
    ) -> Result<AccessToken, ExchangeError> {
        {
            let slot = self.slot(key);
            let mut cached = slot.lock().await;
            if cached.as_ref().is_some_and(|c| &c.token == stale) {
                *cached = None;
            }
        }
        self.get(creds, key).await
    }

    async fn obtain(&self, creds: &ApiCredentials) -> Result<Cached, ExchangeError> {
        let mode = self.http.config().auth_mode;
        let try_oauth =
            matches!(mode, AuthMode::OAuth2) || (mode == AuthMode::Auto && !self.oauth_missing.load(Ordering::Relaxed));
        let first_refusal = if try_oauth {
            match self.oauth(creds).await {
                Ok(c) => return Ok(c),
                Err(FlowError::Other(e)) => return Err(read_only(e)),
                Err(FlowError::Refused(e)) if mode == AuthMode::OAuth2 => return Err(e),
                Err(FlowError::Missing) if mode == AuthMode::OAuth2 => {
                    return Err(ExchangeError::Unauthorized("the OAuth2 token endpoint does not exist".into()))
                }
                Err(FlowError::Missing) => {
                    tracing::info!("Mercado Bitcoin has no OAuth2 endpoint here; using /authorize");
                    self.oauth_missing.store(true, Ordering::Relaxed);
                    None
                }
                Err(FlowError::Refused(e)) => Some(e),
            }
        } else {
            None
        };
        match self.authorize(creds).await {
            Ok(c) => Ok(c),
            Err(FlowError::Other(e)) => Err(read_only(e)),
            Err(FlowError::Refused(e)) => Err(first_refusal.unwrap_or(e)),
            Err(FlowError::Missing) => Err(first_refusal
                .unwrap_or_else(|| ExchangeError::Unauthorized("the /authorize endpoint does not exist".into()))),
        }
    }

    async fn oauth(&self, creds: &ApiCredentials) -> Result<Cached, FlowError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", "global"),
            ("client_id", creds.api_key.expose()),
            ("client_secret", creds.api_secret.expose()),
        ];
        let request = self.http.request_url(Method::POST, &self.http.config().oauth_url()).form(&form);
        let body = self.flow(request).await?;
        let answer: OAuthResponse = decode(&body).map_err(FlowError::Other)?;
        let expires_at = self.clock.now() + Duration::seconds(answer.expires_in);
        Ok(Cached { token: AccessToken(answer.access_token.into()), expires_at })
    }

    async fn authorize(&self, creds: &ApiCredentials) -> Result<Cached, FlowError> {
        let payload = AuthorizeRequest { login: creds.api_key.expose(), password: creds.api_secret.expose() };
        let body = self.flow(self.http.request(Method::POST, "/authorize").json(&payload)).await?;
        let answer: AuthorizeResponse = decode(&body).map_err(FlowError::Other)?;
        let expires_at = OffsetDateTime::from_unix_timestamp(answer.expiration)
            .map_err(|e| FlowError::Other(ExchangeError::unavailable(e)))?;
        Ok(Cached { token: AccessToken(answer.access_token.into()), expires_at })
    }

    async fn flow(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, FlowError> {
        match self.http.send(Endpoint::Unmetered, None, request).await {
            Ok(Answer::Ok(body)) => Ok(body),
            Ok(Answer::Failed(f)) if matches!(f.status, 404 | 405) => Err(FlowError::Missing),
            Ok(Answer::Failed(f)) if f.is_rate_limit() || f.status >= 500 => Err(FlowError::Other(f.into_error(None))),
            Ok(Answer::Failed(f)) => {
                tracing::warn!(status = f.status, code = %f.code, "Mercado Bitcoin refused the credentials");
                Err(FlowError::Refused(ExchangeError::Unauthorized("Mercado Bitcoin refused the API key".into())))
            }
            Err(e) => Err(FlowError::Other(e)),
        }
    }
}
