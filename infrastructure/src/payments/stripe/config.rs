//! The Stripe adapter's settings, with secrets redacted from `Debug`.

use std::fmt;
use std::time::Duration;

use domain::subscriptions::Plan;

/// Stripe's production API root.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// Default time limit for one HTTP attempt (connect, send and read the answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// Default wait before the first retry; doubled before each further one.
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(500);

/// Settings of [`StripeGateway`](super::StripeGateway).
///
/// `Debug` never prints `secret_key` or `webhook_secret`.
#[derive(Clone)]
pub struct StripeConfig {
    /// Secret API key (`sk_live_…`, `sk_test_…` or a restricted `rk_…`), sent as a bearer token.
    pub secret_key: String,
    /// The webhook endpoint's signing secret, the full `whsec_…` value.
    pub webhook_secret: String,
    /// Recurring price id (`price_…`) billed for the PRO plan.
    pub price_pro: String,
    /// Recurring price id (`price_…`) billed for the MAX plan.
    pub price_max: String,
    /// API root, without the `/v1` path; [`DEFAULT_API_BASE`] in production, a mock server in tests.
    pub api_base: String,
    /// Time limit for one HTTP attempt.
    pub timeout: Duration,
    /// Wait before the first retry (doubled before the second).
    pub retry_backoff: Duration,
}

impl StripeConfig {
    /// Settings with the default API root, time-out and retry back-off.
    pub fn new(
        secret_key: impl Into<String>,
        webhook_secret: impl Into<String>,
        price_pro: impl Into<String>,
        price_max: impl Into<String>,
    ) -> Self {
        Self {
            secret_key: secret_key.into(),
            webhook_secret: webhook_secret.into(),
            price_pro: price_pro.into(),
            price_max: price_max.into(),
            api_base: DEFAULT_API_BASE.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
        }
    }

    /// The price id billed for `plan`; `None` for FREE, which is never sold through Stripe.
    pub fn price_for(&self, plan: Plan) -> Option<&str> {
        match plan {
            Plan::Free => None,
            Plan::Pro => Some(&self.price_pro),
            Plan::Max => Some(&self.price_max),
        }
    }

    /// The plan a configured price id bills, if it is one of ours.
    pub fn plan_for_price(&self, price_id: &str) -> Option<Plan> {
        if price_id == self.price_pro {
            Some(Plan::Pro)
        } else if price_id == self.price_max {
            Some(Plan::Max)
        } else {
            None
        }
    }

    /// Checks that every field is usable; names the first one that is not.
    pub(super) fn validate(&self) -> Result<(), StripeConfigError> {
        let required = [
            ("secret_key", &self.secret_key),
            ("webhook_secret", &self.webhook_secret),
            ("price_pro", &self.price_pro),
            ("price_max", &self.price_max),
        ];
        if let Some((name, _)) = required.iter().find(|(_, value)| value.trim().is_empty()) {
            return Err(StripeConfigError::Missing(name));
        }
        if self.price_pro == self.price_max {
            return Err(StripeConfigError::SamePrice);
        }
        match reqwest::Url::parse(&self.api_base) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.query().is_none() => Ok(()),
            _ => Err(StripeConfigError::InvalidApiBase(self.api_base.clone())),
        }
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"[redacted]")
            .field("webhook_secret", &"[redacted]")
            .field("price_pro", &self.price_pro)
            .field("price_max", &self.price_max)
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .field("retry_backoff", &self.retry_backoff)
            .finish()
    }
}

/// Why a [`StripeConfig`] cannot build a gateway.
#[derive(Debug, thiserror::Error)]
pub enum StripeConfigError {
    /// A required setting is empty.
    #[error("stripe setting `{0}` is empty")]
    Missing(&'static str),
    /// PRO and MAX use the same price, so a subscription's plan could not be told from its price.
    #[error("stripe settings `price_pro` and `price_max` must differ")]
    SamePrice,
    /// `api_base` is not an http(s) URL.
    #[error("stripe setting `api_base` is not an http(s) URL: `{0}`")]
    InvalidApiBase(String),
    /// The HTTP client could not be built.
    #[error("stripe HTTP client could not be built")]
    Client(#[source] reqwest::Error),
}
