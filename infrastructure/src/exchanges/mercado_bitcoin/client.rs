//! The HTTP layer: rate limiting, time-outs, and sorting every answer into success, an API
//! error, or a transport failure whose outcome is unknown.

use std::sync::Arc;
use std::time::Instant;

use domain::exchange::ExchangeError;
use reqwest::header::RETRY_AFTER;
use reqwest::RequestBuilder;
use serde::de::DeserializeOwned;

use super::config::MercadoBitcoinConfig;
use super::errors::ApiFailure;
use super::limiter::{Endpoint, RateLimiter};

/// What came back from one request.
#[derive(Debug)]
pub(crate) enum Answer {
    /// 2xx, with its body.
    Ok(Vec<u8>),
    /// Any other status, parsed.
    Failed(ApiFailure),
}

/// A configured HTTP client bound to one API root and one limiter.
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    config: MercadoBitcoinConfig,
    limiter: Arc<RateLimiter>,
}

impl Http {
    /// Builds the client with the configured time-outs.
    pub fn new(config: MercadoBitcoinConfig, limiter: Arc<RateLimiter>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("botfleet/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client with only time-outs and a user agent always builds");
        Self { client, config, limiter }
    }

    /// The settings.
    pub fn config(&self) -> &MercadoBitcoinConfig {
        &self.config
    }

    /// A request to `{base_url}{path}`.
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.config.base()))
    }

    /// A request to an absolute URL (the OAuth2 endpoint lives outside the API root).
    pub fn request_url(&self, method: reqwest::Method, url: &str) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends `request` once the limiter allows it. A connection that never opened is
    /// `Unavailable` (nothing reached the exchange); a time-out or a broken answer after sending
    /// is `OutcomeUnknown`. A rate-limit answer blocks the limiter for its `Retry-After`.
    pub async fn send(
        &self,
        endpoint: Endpoint,
        credential: Option<&str>,
        request: RequestBuilder,
    ) -> Result<Answer, ExchangeError> {
        let wait = self
            .limiter
            .reserve(endpoint, credential, Instant::now(), self.config.max_rate_limit_wait)
            .map_err(|w| ExchangeError::RateLimited { retry_after_secs: w.0.as_secs().max(1) })?;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        let body = response.bytes().await.map_err(transport_error)?;
        if (200..300).contains(&status) {
            return Ok(Answer::Ok(body.to_vec()));
        }
        let failure = ApiFailure::parse(status, &body, retry_after);
        if failure.is_rate_limit() {
            self.limiter.block(Instant::now(), std::time::Duration::from_secs(failure.retry_after_secs()));
            tracing::warn!(status, code = %failure.code, "Mercado Bitcoin rate limit hit");
        }
        Ok(Answer::Failed(failure))
    }
}

fn transport_error(err: reqwest::Error) -> ExchangeError {
    if err.is_connect() {
        ExchangeError::unavailable(anyhow::Error::new(err.without_url()).context("cannot reach Mercado Bitcoin"))
    } else if err.is_timeout() {
        ExchangeError::OutcomeUnknown("Mercado Bitcoin did not answer in time".into())
    } else {
        ExchangeError::OutcomeUnknown(format!("Mercado Bitcoin request failed: {}", err.without_url()))
    }
}

/// Decodes a JSON body; a body of the wrong shape means the exchange is not answering as
/// documented, which is `Unavailable` for the caller.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ExchangeError> {
    serde_json::from_slice(body)
        .map_err(|e| ExchangeError::unavailable(anyhow::Error::new(e).context("unexpected Mercado Bitcoin payload")))
}
