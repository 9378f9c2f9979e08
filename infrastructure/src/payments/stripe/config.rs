//! The Stripe adapter's settings, with secrets redacted from `Debug`.

use std::fmt;
use std::time::Duration;

use domain::shared::secret::Secret;
use domain::subscriptions::Plan;

use crate::payments::settings::{all_or_nothing, present};

/// Variable holding [`StripeConfig::secret_key`].
pub const ENV_SECRET_KEY: &str = "BOTFLEET_STRIPE_SECRET_KEY";
/// Variable holding [`StripeConfig::webhook_secret`].
pub const ENV_WEBHOOK_SECRET: &str = "BOTFLEET_STRIPE_WEBHOOK_SECRET";
/// Variable holding [`StripeConfig::price_pro`].
pub const ENV_PRICE_PRO: &str = "BOTFLEET_STRIPE_PRICE_PRO";
/// Variable holding [`StripeConfig::price_max`].
pub const ENV_PRICE_MAX: &str = "BOTFLEET_STRIPE_PRICE_MAX";
/// Variable holding [`StripeConfig::price_pro_annual`] (optional).
pub const ENV_PRICE_PRO_ANNUAL: &str = "BOTFLEET_STRIPE_PRICE_PRO_ANNUAL";
/// Variable holding [`StripeConfig::price_max_annual`] (optional).
pub const ENV_PRICE_MAX_ANNUAL: &str = "BOTFLEET_STRIPE_PRICE_MAX_ANNUAL";
/// Variable holding [`StripeConfig::api_base`] (optional).
pub const ENV_API_BASE: &str = "BOTFLEET_STRIPE_API_BASE";

/// Stripe's production API root.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// Default time limit for one HTTP attempt (connect, send and read the answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// Default wait before the first retry; doubled before each further one.
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(500);

/// Settings of [`StripeGateway`](super::StripeGateway).
///
/// `Debug` never prints `secret_key` or `webhook_secret` (both are [`Secret`]s).
#[derive(Clone)]
pub struct StripeConfig {
    /// Secret API key (`sk_live_…`, `sk_test_…` or a restricted `rk_…`), sent as a bearer token.
    pub secret_key: Secret,
    /// The webhook endpoint's signing secret, the full `whsec_…` value.
    pub webhook_secret: Secret,
    /// Recurring price id (`price_…`) billed for the PRO plan.
    pub price_pro: String,
    /// Recurring price id (`price_…`) billed for the MAX plan.
    pub price_max: String,
    /// Yearly recurring price id of PRO; with MAX's, card subscriptions may be annual.
    pub price_pro_annual: Option<String>,
    /// Yearly recurring price id of MAX.
    pub price_max_annual: Option<String>,
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
        secret_key: impl Into<Secret>,
        webhook_secret: impl Into<Secret>,
        price_pro: impl Into<String>,
        price_max: impl Into<String>,
    ) -> Self {
        Self {
            secret_key: secret_key.into(),
            webhook_secret: webhook_secret.into(),
            price_pro: price_pro.into(),
            price_max: price_max.into(),
            price_pro_annual: None,
            price_max_annual: None,
            api_base: DEFAULT_API_BASE.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
        }
    }

    /// Settings from the values of the `BOTFLEET_STRIPE_*` variables (`None` = unset; empty counts
    /// as unset). `Ok(None)` when the four required ones are all unset: Stripe is not configured
    /// and the server answers "payments not configured". An error when only some are set, or a
    /// value is unusable; it names the variables and never contains a secret.
    pub fn from_env_values(
        secret_key: Option<String>,
        webhook_secret: Option<String>,
        price_pro: Option<String>,
        price_max: Option<String>,
        api_base: Option<String>,
    ) -> Result<Option<Self>, StripeConfigError> {
        let required = [
            (ENV_SECRET_KEY, secret_key),
            (ENV_WEBHOOK_SECRET, webhook_secret),
            (ENV_PRICE_PRO, price_pro),
            (ENV_PRICE_MAX, price_max),
        ];
        let Some([secret_key, webhook_secret, price_pro, price_max]) =
            all_or_nothing(required).map_err(StripeConfigError::Incomplete)?
        else {
            return Ok(None);
        };
        let mut config = Self::new(secret_key, webhook_secret, price_pro, price_max);
        if let Some(api_base) = present(api_base) {
            config.api_base = api_base;
        }
        config.validate()?;
        Ok(Some(config))
    }

    /// [`Self::from_env_values`] with each variable read through `lookup` (e.g.
    /// `|name| std::env::var(name).ok()`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, StripeConfigError> {
        let config = Self::from_env_values(
            lookup(ENV_SECRET_KEY),
            lookup(ENV_WEBHOOK_SECRET),
            lookup(ENV_PRICE_PRO),
            lookup(ENV_PRICE_MAX),
            lookup(ENV_API_BASE),
        )?;
        let Some(mut config) = config else { return Ok(None) };
        config.price_pro_annual = present(lookup(ENV_PRICE_PRO_ANNUAL));
        config.price_max_annual = present(lookup(ENV_PRICE_MAX_ANNUAL));
        config.validate()?;
        Ok(Some(config))
    }

    /// The yearly price id of `plan`, when annual prices are configured (both, or neither).
    pub fn annual_price_for(&self, plan: Plan) -> Option<&str> {
        match plan {
            Plan::Free => None,
            Plan::Pro => self.price_pro_annual.as_deref(),
            Plan::Max => self.price_max_annual.as_deref(),
        }
    }

    /// Whether both annual prices are configured.
    pub fn offers_annual(&self) -> bool {
        self.price_pro_annual.is_some() && self.price_max_annual.is_some()
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
        if price_id == self.price_pro || self.price_pro_annual.as_deref() == Some(price_id) {
            Some(Plan::Pro)
        } else if price_id == self.price_max || self.price_max_annual.as_deref() == Some(price_id) {
            Some(Plan::Max)
        } else {
            None
        }
    }

    /// Checks that every field is usable; names the first one that is not.
    pub(super) fn validate(&self) -> Result<(), StripeConfigError> {
        let required = [
            (ENV_SECRET_KEY, self.secret_key.expose()),
            (ENV_WEBHOOK_SECRET, self.webhook_secret.expose()),
            (ENV_PRICE_PRO, self.price_pro.as_str()),
            (ENV_PRICE_MAX, self.price_max.as_str()),
        ];
        if let Some((name, _)) = required.iter().find(|(_, value)| value.trim().is_empty()) {
            return Err(StripeConfigError::Missing(name));
        }
        if self.price_pro == self.price_max {
            return Err(StripeConfigError::SamePrice);
        }
        match (&self.price_pro_annual, &self.price_max_annual) {
            (None, None) => {}
            (Some(pro), Some(max)) => {
                let ids = [self.price_pro.as_str(), self.price_max.as_str(), pro.as_str(), max.as_str()];
                if ids.iter().enumerate().any(|(i, id)| id.trim().is_empty() || ids[i + 1..].contains(id)) {
                    return Err(StripeConfigError::SamePrice);
                }
            }
            (Some(_), None) => return Err(StripeConfigError::Missing(ENV_PRICE_MAX_ANNUAL)),
            (None, Some(_)) => return Err(StripeConfigError::Missing(ENV_PRICE_PRO_ANNUAL)),
        }
        if self.timeout.is_zero() {
            return Err(StripeConfigError::InvalidTimeout);
        }
        match reqwest::Url::parse(&self.api_base) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() && url.query().is_none() => Ok(()),
            _ => Err(StripeConfigError::InvalidApiBase(self.api_base.clone())),
        }
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &self.secret_key)
            .field("webhook_secret", &self.webhook_secret)
            .field("price_pro", &self.price_pro)
            .field("price_max", &self.price_max)
            .field("price_pro_annual", &self.price_pro_annual)
            .field("price_max_annual", &self.price_max_annual)
            .field("api_base", &self.api_base)
            .field("timeout", &self.timeout)
            .field("retry_backoff", &self.retry_backoff)
            .finish()
    }
}

/// Why a [`StripeConfig`] cannot build a gateway.
#[derive(Debug, thiserror::Error)]
pub enum StripeConfigError {
    /// A required setting is empty (named by its variable).
    #[error("{0}: is required for Stripe and is empty")]
    Missing(&'static str),
    /// Some Stripe variables are set and these required ones are not.
    #[error("Stripe is partly configured: set {} too, or unset every BOTFLEET_STRIPE_* variable", .0.join(", "))]
    Incomplete(Vec<&'static str>),
    /// Two plans or periods use the same price, so a subscription's plan could not be told from its price.
    #[error("{ENV_PRICE_PRO}, {ENV_PRICE_MAX} (and the annual prices, when set) must all differ")]
    SamePrice,
    /// `api_base` is not an http(s) URL.
    #[error("{ENV_API_BASE}: `{0}` is not an http(s) URL without a query")]
    InvalidApiBase(String),
    /// The time-out is zero.
    #[error("the Stripe time-out must be positive")]
    InvalidTimeout,
    /// The HTTP client could not be built.
    #[error("stripe HTTP client could not be built")]
    Client(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(value: &str) -> Option<String> {
        Some(value.to_owned())
    }

    #[test]
    fn nothing_set_means_not_configured() {
        assert!(StripeConfig::from_env_values(None, None, None, None, some("http://127.0.0.1:1")).unwrap().is_none());
        assert!(StripeConfig::from_lookup(|_| Some(" ".to_owned())).unwrap().is_none());
    }

    #[test]
    fn everything_set_builds_with_the_default_or_given_base() {
        let config =
            StripeConfig::from_env_values(some("sk_test_1"), some("whsec_1"), some("price_p"), some("price_m"), None)
                .unwrap()
                .unwrap();
        assert_eq!(config.api_base, DEFAULT_API_BASE);
        assert_eq!(config.price_for(Plan::Max), Some("price_m"));
        let lookup = |name: &str| match name {
            ENV_API_BASE => some("http://127.0.0.1:9"),
            ENV_PRICE_PRO => some("price_p"),
            ENV_PRICE_MAX => some("price_m"),
            ENV_PRICE_PRO_ANNUAL | ENV_PRICE_MAX_ANNUAL => None,
            _ => some("s3cr3t"),
        };
        assert_eq!(StripeConfig::from_lookup(lookup).unwrap().unwrap().api_base, "http://127.0.0.1:9");
    }

    #[test]
    fn partial_or_bad_settings_name_the_variables_and_no_secret() {
        let err = StripeConfig::from_env_values(some("sk_live_SECRET"), None, some("price_p"), None, None).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains(ENV_WEBHOOK_SECRET) && shown.contains(ENV_PRICE_MAX), "{shown}");
        assert!(!shown.contains("sk_live_SECRET"), "{shown}");

        let same = StripeConfig::from_env_values(some("sk"), some("wh"), some("price_x"), some("price_x"), None);
        assert!(matches!(same, Err(StripeConfigError::SamePrice)));
        let bad_base = StripeConfig::from_env_values(some("sk"), some("wh"), some("p1"), some("p2"), some("ftp://x"));
        assert!(matches!(bad_base, Err(StripeConfigError::InvalidApiBase(_))));
    }

    #[test]
    fn annual_prices_are_optional_both_or_neither_and_distinct() {
        let lookup = |annual_max: Option<&'static str>| {
            move |name: &str| match name {
                ENV_PRICE_PRO => some("price_p"),
                ENV_PRICE_MAX => some("price_m"),
                ENV_PRICE_PRO_ANNUAL => some("price_pa"),
                ENV_PRICE_MAX_ANNUAL => annual_max.map(str::to_owned),
                ENV_API_BASE => None,
                _ => some("s3cr3t"),
            }
        };
        let config = StripeConfig::from_lookup(lookup(Some("price_ma"))).unwrap().unwrap();
        assert!(config.offers_annual());
        assert_eq!(
            (config.annual_price_for(Plan::Max), config.plan_for_price("price_pa")),
            (Some("price_ma"), Some(Plan::Pro))
        );
        let half = StripeConfig::from_lookup(lookup(None)).unwrap_err();
        assert!(half.to_string().contains(ENV_PRICE_MAX_ANNUAL), "{half}");
        assert!(matches!(StripeConfig::from_lookup(lookup(Some("price_m"))), Err(StripeConfigError::SamePrice)));
    }

    #[test]
    fn debug_redacts_both_secrets() {
        let config = StripeConfig::new("sk_test_TOPSECRET", "whsec_TOPSECRET", "price_p", "price_m");
        for shown in [format!("{config:?}"), format!("{config:#?}")] {
            assert!(!shown.contains("TOPSECRET") && shown.contains("price_p"), "{shown}");
            assert!(shown.contains("secret_key: [REDACTED]"), "{shown}");
        }
    }
}
