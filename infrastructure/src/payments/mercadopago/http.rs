//! Authenticated JSON calls to the Mercado Pago API: time-outs, retries and error mapping.
//!
//! Mapping: 404 (or error code `not_found`) -> `NotFound`; 429, 5xx and transport failures or
//! time-outs -> `Unavailable`; any other refusal (401/403 included) -> `Rejected { code: error, message }`.
//! A GET is retried up to twice with a doubling back-off; a POST or PUT only when it carries an
//! `X-Idempotency-Key`, which every retry repeats unchanged. The access token travels only in the
//! `Authorization` header (marked sensitive) and never appears in an error or a log line.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use domain::shared::secret::Secret;
use domain::subscriptions::PaymentError;

use super::config::{MercadoPagoConfig, MercadoPagoConfigError};
use super::wire::ApiError;

/// Retries after the first attempt, for calls that may be repeated.
const MAX_RETRIES: u32 = 2;

/// Longest provider message kept from a non-JSON error body.
const MAX_MESSAGE_CHARS: usize = 300;

/// A client of the Mercado Pago REST API.
pub(super) struct Api {
    http: reqwest::Client,
    base: String,
    token: Secret,
    backoff: Duration,
}

/// How one attempt failed.
enum Failure {
    /// Worth another attempt (429, 5xx, time-out, connection).
    Transient(anyhow::Error),
    /// Final answer.
    Final(PaymentError),
}

impl Api {
    /// A client with the configured time-out and back-off.
    pub(super) fn new(config: &MercadoPagoConfig) -> Result<Self, MercadoPagoConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("botfleet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(MercadoPagoConfigError::HttpClient)?;
        Ok(Self {
            http,
            base: config.api_base.trim_end_matches('/').to_owned(),
            token: config.access_token.clone(),
            backoff: config.retry_backoff,
        })
    }

    /// `GET path`, retried on transient failures.
    pub(super) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, PaymentError> {
        self.call(Method::GET, path, None, None).await
    }

    /// `method path` with a JSON body, retried on transient failures under the same idempotency key.
    pub(super) async fn send<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        idempotency_key: &str,
    ) -> Result<T, PaymentError> {
        let body = serde_json::to_vec(body).map_err(|e| PaymentError::Malformed(format!("request body: {e}")))?;
        let key = Some(idempotency_key).filter(|k| !k.trim().is_empty());
        self.call(method, path, Some(body), key).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<T, PaymentError> {
        if self.token.is_empty() {
            return Err(PaymentError::NotConfigured);
        }
        let url = format!("{}{path}", self.base);
        // A GET changes nothing; a write is repeated only when the provider can tell it is the same one.
        let retries = if method == Method::GET || idempotency_key.is_some() { MAX_RETRIES } else { 0 };
        let mut attempt = 0;
        loop {
            match self.attempt(&method, &url, body.as_deref(), idempotency_key).await {
                Ok(bytes) => {
                    return serde_json::from_slice(&bytes)
                        .map_err(|e| PaymentError::Malformed(format!("unexpected answer to {method} {path}: {e}")));
                }
                Err(Failure::Transient(error)) if attempt < retries => {
                    let pause = self.backoff.saturating_mul(2u32.saturating_pow(attempt));
                    tracing::warn!(%method, path, attempt, ?pause, error = %error, "Mercado Pago call failed; retrying");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                Err(Failure::Transient(error)) => return Err(PaymentError::Unavailable(error)),
                Err(Failure::Final(error)) => return Err(error),
            }
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        body: Option<&[u8]>,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<u8>, Failure> {
        let mut request = self.http.request(method.clone(), url).bearer_auth(self.token.expose());
        if let Some(key) = idempotency_key {
            request = request.header("X-Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_vec());
        }
        let transport = |e: reqwest::Error| Failure::Transient(anyhow::Error::new(e.without_url()));
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if status.is_success() {
            Ok(bytes.to_vec())
        } else {
            Err(failure(status, &bytes, self.token.expose()))
        }
    }
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("base", &self.base).field("token", &"<redacted>").finish_non_exhaustive()
    }
}

/// Classifies a non-2xx answer; `token` is blanked out of anything kept from the body.
fn failure(status: StatusCode, body: &[u8], token: &str) -> Failure {
    let parsed: ApiError = serde_json::from_slice(body).unwrap_or_default();
    let scrub = |text: String| if token.is_empty() { text } else { text.replace(token, "<redacted>") };
    let code = scrub(parsed.error.clone().filter(|c| !c.is_empty()).unwrap_or_else(|| default_code(status)));
    let message = scrub(parsed.message.clone().unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text: String = text.trim().chars().take(MAX_MESSAGE_CHARS).collect();
        if text.is_empty() {
            status.canonical_reason().unwrap_or("error").to_owned()
        } else {
            text
        }
    }));
    if status == StatusCode::NOT_FOUND || code == "not_found" {
        return Failure::Final(PaymentError::NotFound);
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Failure::Transient(anyhow::anyhow!("Mercado Pago answered {status} ({code}): {message}"));
    }
    if !parsed.cause.is_null() {
        tracing::warn!(%status, code, cause = %parsed.cause, "Mercado Pago refused the request");
    }
    Failure::Final(PaymentError::Rejected { code, message })
}

/// A code for an error body without `error`.
fn default_code(status: StatusCode) -> String {
    match status {
        StatusCode::UNAUTHORIZED => "unauthorized".to_owned(),
        StatusCode::FORBIDDEN => "forbidden".to_owned(),
        _ => format!("http_{}", status.as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn final_error(status: u16, body: &str) -> PaymentError {
        match failure(StatusCode::from_u16(status).unwrap(), body.as_bytes(), "APP_USR-token") {
            Failure::Final(e) => e,
            Failure::Transient(e) => panic!("transient: {e}"),
        }
    }

    #[test]
    fn classifies_answers() {
        let body = r#"{"status":400,"error":"bad_request","message":"invalid payer_email","cause":[{"code":2001}]}"#;
        assert!(
            matches!(final_error(400, body), PaymentError::Rejected { code, message } if code == "bad_request" && message == "invalid payer_email")
        );
        assert!(matches!(final_error(404, "{}"), PaymentError::NotFound));
        assert!(matches!(final_error(400, r#"{"error":"not_found","message":"x"}"#), PaymentError::NotFound));
        assert!(
            matches!(final_error(401, ""), PaymentError::Rejected { code, message } if code == "unauthorized" && message == "Unauthorized")
        );
        assert!(
            matches!(final_error(418, "teapot"), PaymentError::Rejected { code, message } if code == "http_418" && message == "teapot")
        );
        assert!(matches!(failure(StatusCode::TOO_MANY_REQUESTS, b"", "t"), Failure::Transient(_)));
        assert!(matches!(failure(StatusCode::BAD_GATEWAY, b"<html>", "t"), Failure::Transient(_)));
        assert!(
            matches!(final_error(401, r#"{"error":"unauthorized","message":"bad token APP_USR-token"}"#), PaymentError::Rejected { message, .. } if message == "bad token <redacted>")
        );
    }
}
