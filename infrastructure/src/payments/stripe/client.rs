//! The HTTP side of the Stripe adapter: authentication, the pinned API version, retries and
//! translation of Stripe's error answers into [`PaymentError`].

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use domain::shared::secret::Secret;
use domain::subscriptions::PaymentError;

use super::{StripeConfig, StripeConfigError, STRIPE_API_VERSION};

/// Retries after the first attempt, on time-outs, connection failures, 409, 429 and 5xx, unless
/// Stripe's `Stripe-Should-Retry` header says otherwise (`true` retries any answer, `false` stops).
///
/// Safe for POSTs because each carries an `Idempotency-Key`: Stripe replays the first outcome.
pub(super) const MAX_RETRIES: u32 = 2;

/// An authenticated Stripe API client. `Debug` leaves the key out.
#[derive(Clone)]
pub(super) struct StripeClient {
    http: reqwest::Client,
    base: String,
    secret_key: Secret,
    retry_backoff: Duration,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient").field("base", &self.base).finish_non_exhaustive()
    }
}

/// One request, rebuilt for each attempt.
pub(super) struct Call<'a> {
    pub(super) method: Method,
    pub(super) path: &'a str,
    pub(super) form: &'a [(&'a str, String)],
    pub(super) idempotency_key: Option<&'a str>,
}

/// Stripe's error body: `{"error": {"type", "code", "message", …}}`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// What one attempt came to.
enum Attempt<T> {
    Done(Result<T, PaymentError>),
    Retry(anyhow::Error),
}

impl StripeClient {
    pub(super) fn new(config: &StripeConfig) -> Result<Self, StripeConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("botfleet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(StripeConfigError::Client)?;
        Ok(Self {
            http,
            base: config.api_base.trim_end_matches('/').to_owned(),
            secret_key: config.secret_key.clone(),
            retry_backoff: config.retry_backoff,
        })
    }

    /// Sends `call`, retrying transient failures, and decodes a 2xx body as `T`.
    pub(super) async fn send<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, PaymentError> {
        let mut attempt = 0;
        loop {
            let outcome = match self.request(call).send().await {
                Ok(response) => self.read(response).await,
                Err(error) => Attempt::Retry(anyhow::Error::new(error).context("stripe request failed")),
            };
            match outcome {
                Attempt::Done(result) => return result,
                Attempt::Retry(error) if attempt >= MAX_RETRIES => return Err(PaymentError::Unavailable(error)),
                Attempt::Retry(error) => {
                    tracing::warn!(path = call.path, attempt, error = %error, "stripe call failed; retrying");
                    tokio::time::sleep(self.retry_backoff * 2u32.pow(attempt)).await;
                    attempt += 1;
                }
            }
        }
    }

    fn request(&self, call: &Call<'_>) -> RequestBuilder {
        let mut builder = self
            .http
            .request(call.method.clone(), format!("{}{}", self.base, call.path))
            .bearer_auth(self.secret_key.expose())
            .header("Stripe-Version", STRIPE_API_VERSION);
        if let Some(key) = call.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        if !call.form.is_empty() {
            builder = builder.form(call.form);
        }
        builder
    }

    async fn read<T: DeserializeOwned>(&self, response: Response) -> Attempt<T> {
        let status = response.status();
        // Stripe says whether a retry can help: a saved result (e.g. a 500 under an idempotency key)
        // would only be replayed.
        let should_retry = match response.headers().get("stripe-should-retry").and_then(|v| v.to_str().ok()) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        };
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) => return Attempt::Retry(anyhow::Error::new(error).context("reading stripe's answer failed")),
        };
        if status.is_success() {
            return Attempt::Done(
                serde_json::from_slice(&body)
                    .map_err(|e| PaymentError::Malformed(format!("stripe answer could not be decoded: {e}"))),
            );
        }
        let transient =
            status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::CONFLICT || status.is_server_error();
        match should_retry {
            Some(true) => return Attempt::Retry(anyhow::anyhow!("stripe answered {status}")),
            Some(false) if status.is_server_error() => {
                return Attempt::Done(Err(PaymentError::Unavailable(anyhow::anyhow!(
                    "stripe answered {status} and asked not to retry"
                ))));
            }
            None if transient => return Attempt::Retry(anyhow::anyhow!("stripe answered {status}")),
            _ => {}
        }
        Attempt::Done(Err(redacted(error_for(status, &body), self.secret_key.expose())))
    }
}

/// Removes the secret key from a provider message, should Stripe ever echo it back.
fn redacted(error: PaymentError, secret_key: &str) -> PaymentError {
    match error {
        PaymentError::Rejected { code, message } if !secret_key.is_empty() => PaymentError::Rejected {
            code: code.replace(secret_key, "[redacted]"),
            message: message.replace(secret_key, "[redacted]"),
        },
        other => other,
    }
}

/// Translates a non-retryable error answer.
fn error_for(status: StatusCode, body: &[u8]) -> PaymentError {
    if status == StatusCode::NOT_FOUND {
        return PaymentError::NotFound;
    }
    if status == StatusCode::UNAUTHORIZED {
        // Stripe's message quotes part of the key: never pass it on.
        return PaymentError::Rejected {
            code: "authentication_error".to_owned(),
            message: "stripe refused the configured API key".to_owned(),
        };
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => PaymentError::Rejected {
            code: error.code.or(error.kind).unwrap_or_else(|| format!("http_{}", status.as_u16())),
            message: error.message.unwrap_or_else(|| format!("stripe answered {status}")),
        },
        Err(_) => PaymentError::Rejected {
            code: format!("http_{}", status.as_u16()),
            message: format!("stripe answered {status}"),
        },
    }
}
