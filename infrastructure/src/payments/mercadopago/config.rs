//! Settings of the Mercado Pago adapter, with secrets kept out of `Debug`.

use std::time::Duration;

use rust_decimal::Decimal;

use domain::shared::secret::Secret;
use domain::subscriptions::{EntitlementTable, Plan};

use crate::payments::settings::{all_or_nothing, present};

/// Variable holding [`MercadoPagoConfig::access_token`].
pub const ENV_ACCESS_TOKEN: &str = "BOTFLEET_MERCADOPAGO_ACCESS_TOKEN";
/// Variable holding [`MercadoPagoConfig::webhook_secret`].
pub const ENV_WEBHOOK_SECRET: &str = "BOTFLEET_MERCADOPAGO_WEBHOOK_SECRET";
/// Variable holding [`MercadoPagoConfig::api_base`] (optional).
pub const ENV_API_BASE: &str = "BOTFLEET_MERCADOPAGO_API_BASE";

/// The production API root.
pub const DEFAULT_API_BASE: &str = "https://api.mercadopago.com";

/// Settings of [`super::MercadoPagoGateway`]. Build with [`MercadoPagoConfig::new`] and adjust fields.
#[derive(Clone)]
pub struct MercadoPagoConfig {
    /// Private access token (`APP_USR-…`), sent as `Authorization: Bearer`.
    pub access_token: Secret,
    /// The application's webhook secret ("Your integrations → Webhooks"), key of `x-signature`.
    pub webhook_secret: Secret,
    /// API root, without a trailing slash; tests point it at a local mock server.
    pub api_base: String,
    /// Monthly price of PRO in BRL (not cents).
    pub price_pro: Decimal,
    /// Monthly price of MAX in BRL (not cents).
    pub price_max: Decimal,
    /// Yearly price of PRO in BRL (a yearly preapproval); default ten months' price.
    pub price_pro_annual: Decimal,
    /// Yearly price of MAX in BRL; default ten months' price.
    pub price_max_annual: Decimal,
    /// Time limit of one HTTP attempt (connect, send and read the answer).
    pub timeout: Duration,
    /// First pause before a retry; doubled before each further one.
    pub retry_backoff: Duration,
    /// When set, a signed notification whose `ts` is older (or further in the future) than this is
    /// refused. Unset by default: Mercado Pago publishes no tolerance and may redeliver an old
    /// notification for hours; replays are harmless anyway because every notification is applied
    /// at most once (by its id) and only triggers a re-read from the API.
    pub max_signature_age: Option<Duration>,
    /// When true, an UNSIGNED notification of type `subscription_preapproval` is accepted as
    /// `PreapprovalChanged` (one version of the docs says subscription notifications may come
    /// unsigned). It is safe only because the handler re-reads the preapproval from the API and
    /// never takes state from the body; a present but wrong signature is still refused. Default false.
    pub accept_unsigned_preapproval_notifications: bool,
}

impl MercadoPagoConfig {
    /// Settings with the production API root, the plan table's prices (PRO R$ 19,90, MAX R$ 97), a 10 s time-out,
    /// 250 ms first back-off, no signature age limit and strict signatures.
    pub fn new(access_token: impl Into<Secret>, webhook_secret: impl Into<Secret>) -> Self {
        let prices = EntitlementTable::default();
        Self {
            access_token: access_token.into(),
            webhook_secret: webhook_secret.into(),
            api_base: DEFAULT_API_BASE.to_owned(),
            price_pro: prices.monthly_price_brl(Plan::Pro),
            price_max: prices.monthly_price_brl(Plan::Max),
            price_pro_annual: prices.annual_price_brl(Plan::Pro),
            price_max_annual: prices.annual_price_brl(Plan::Max),
            timeout: Duration::from_secs(10),
            retry_backoff: Duration::from_millis(250),
            max_signature_age: None,
            accept_unsigned_preapproval_notifications: false,
        }
    }

    /// Settings from the values of the `BOTFLEET_MERCADOPAGO_*` variables (`None` = unset; empty
    /// counts as unset), with the defaults of [`Self::new`] otherwise. `Ok(None)` when the access
    /// token and the webhook secret are both unset: Mercado Pago is not configured and the server
    /// answers "payments not configured". An error when only one is set or the API root is not an
    /// http(s) URL; it names the variables and never contains a secret.
    pub fn from_env_values(
        access_token: Option<String>,
        webhook_secret: Option<String>,
        api_base: Option<String>,
    ) -> Result<Option<Self>, MercadoPagoConfigError> {
        let required = [(ENV_ACCESS_TOKEN, access_token), (ENV_WEBHOOK_SECRET, webhook_secret)];
        let Some([access_token, webhook_secret]) =
            all_or_nothing(required).map_err(MercadoPagoConfigError::Incomplete)?
        else {
            return Ok(None);
        };
        let mut config = Self::new(access_token, webhook_secret);
        if let Some(api_base) = present(api_base) {
            config.api_base = api_base;
        }
        config.validate()?;
        Ok(Some(config))
    }

    /// [`Self::from_env_values`] with each variable read through `lookup` (e.g.
    /// `|name| std::env::var(name).ok()`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, MercadoPagoConfigError> {
        Self::from_env_values(lookup(ENV_ACCESS_TOKEN), lookup(ENV_WEBHOOK_SECRET), lookup(ENV_API_BASE))
    }

    /// The monthly price of a paid plan; `None` for FREE.
    pub fn price(&self, plan: Plan) -> Option<Decimal> {
        match plan {
            Plan::Free => None,
            Plan::Pro => Some(self.price_pro),
            Plan::Max => Some(self.price_max),
        }
    }

    /// The yearly price of a paid plan; `None` for FREE.
    pub fn annual_price(&self, plan: Plan) -> Option<Decimal> {
        match plan {
            Plan::Free => None,
            Plan::Pro => Some(self.price_pro_annual),
            Plan::Max => Some(self.price_max_annual),
        }
    }

    /// Checks what can be checked before any call.
    pub(super) fn validate(&self) -> Result<(), MercadoPagoConfigError> {
        let base = self.api_base.trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() <= "https://".len() {
            return Err(MercadoPagoConfigError::InvalidApiBase(self.api_base.clone()));
        }
        let prices = [
            (Plan::Pro, self.price_pro),
            (Plan::Max, self.price_max),
            (Plan::Pro, self.price_pro_annual),
            (Plan::Max, self.price_max_annual),
        ];
        for (plan, price) in prices {
            if price <= Decimal::ZERO {
                return Err(MercadoPagoConfigError::InvalidPrice { plan, price });
            }
        }
        if self.timeout.is_zero() {
            return Err(MercadoPagoConfigError::InvalidTimeout);
        }
        Ok(())
    }
}

impl std::fmt::Debug for MercadoPagoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MercadoPagoConfig")
            .field("access_token", &self.access_token)
            .field("webhook_secret", &self.webhook_secret)
            .field("api_base", &self.api_base)
            .field("price_pro", &self.price_pro)
            .field("price_max", &self.price_max)
            .field("timeout", &self.timeout)
            .field("retry_backoff", &self.retry_backoff)
            .field("max_signature_age", &self.max_signature_age)
            .field("accept_unsigned_preapproval_notifications", &self.accept_unsigned_preapproval_notifications)
            .finish()
    }
}

/// The settings cannot work.
#[derive(Debug, thiserror::Error)]
pub enum MercadoPagoConfigError {
    /// One of the two required variables is set and these are not.
    #[error("Mercado Pago is partly configured: set {} too, or unset every BOTFLEET_MERCADOPAGO_* variable", .0.join(", "))]
    Incomplete(Vec<&'static str>),
    /// `api_base` is not an http(s) URL.
    #[error("{ENV_API_BASE}: `{0}` is not an http(s) URL")]
    InvalidApiBase(String),
    /// A paid plan's price is zero or negative.
    #[error("Mercado Pago price of {plan} must be positive, got {price}")]
    InvalidPrice {
        /// The plan.
        plan: Plan,
        /// Its configured price.
        price: Decimal,
    },
    /// The time-out is zero.
    #[error("Mercado Pago timeout must be positive")]
    InvalidTimeout,
    /// The HTTP client could not be built (TLS set-up).
    #[error("could not build the Mercado Pago HTTP client")]
    HttpClient(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let config = MercadoPagoConfig::new("APP_USR-secret-token", "whsecret");
        for shown in [format!("{config:?}"), format!("{config:#?}")] {
            assert!(!shown.contains("APP_USR-secret-token") && !shown.contains("whsecret"), "{shown}");
            assert!(shown.contains("access_token: [REDACTED]"), "{shown}");
        }
    }

    #[test]
    fn env_values_are_all_or_nothing() {
        let some = |v: &str| Some(v.to_owned());
        assert!(MercadoPagoConfig::from_env_values(None, Some(String::new()), some("http://127.0.0.1:1"))
            .unwrap()
            .is_none());
        let config = MercadoPagoConfig::from_env_values(some("APP_USR-1"), some("wh"), None).unwrap().unwrap();
        assert_eq!(config.api_base, DEFAULT_API_BASE);
        let lookup = |name: &str| (name == ENV_API_BASE).then(|| "http://127.0.0.1:9".to_owned()).or(some("x"));
        assert_eq!(MercadoPagoConfig::from_lookup(lookup).unwrap().unwrap().api_base, "http://127.0.0.1:9");

        let err = MercadoPagoConfig::from_env_values(some("APP_USR-SECRET"), None, None).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains(ENV_WEBHOOK_SECRET) && !shown.contains("APP_USR-SECRET"), "{shown}");
        let bad_base = MercadoPagoConfig::from_env_values(some("t"), some("w"), some("mercadopago.com"));
        assert!(matches!(bad_base, Err(MercadoPagoConfigError::InvalidApiBase(_))));
    }

    #[test]
    fn defaults_and_validation() {
        let mut config = MercadoPagoConfig::new("t", "s");
        assert_eq!(config.price(Plan::Pro), Some(Decimal::new(1990, 2)));
        assert_eq!(config.price(Plan::Max), Some(Decimal::from(97)));
        assert_eq!(config.price(Plan::Free), None);
        assert!(config.validate().is_ok());
        config.price_max = Decimal::ZERO;
        assert!(matches!(config.validate(), Err(MercadoPagoConfigError::InvalidPrice { plan: Plan::Max, .. })));
        config.price_max = Decimal::ONE;
        config.api_base = "ftp://x".into();
        assert!(matches!(config.validate(), Err(MercadoPagoConfigError::InvalidApiBase(_))));
    }
}
