//! Payment-provider settings. A provider is enabled when its secret is set; a half-configured
//! provider (a secret without its webhook secret or price ids) stops start-up naming what is
//! missing, so checkout never half-works. The plans' bot limits are configurable here too.

use std::time::Duration;

use domain::subscriptions::{EntitlementTable, Limit, Plan};
use rust_decimal::Decimal;

use super::{Env, Secret};

/// The largest configurable bot limit of a plan.
const MAX_BOT_LIMIT: u32 = 1_000_000;

/// Stripe's real API.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com";
/// Mercado Pago's real API.
pub const MERCADOPAGO_API_BASE: &str = "https://api.mercadopago.com";

/// Stripe, when `BOTFLEET_STRIPE_SECRET_KEY` is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripeSettings {
    /// `BOTFLEET_STRIPE_SECRET_KEY` (`sk_live_…` / `sk_test_…`).
    pub secret_key: Secret,
    /// `BOTFLEET_STRIPE_WEBHOOK_SECRET` (`whsec_…`): verifies `Stripe-Signature`.
    pub webhook_secret: Secret,
    /// `BOTFLEET_STRIPE_PRICE_PRO`: the recurring price id of PRO.
    pub price_pro: String,
    /// `BOTFLEET_STRIPE_PRICE_MAX`: the recurring price id of MAX.
    pub price_max: String,
    /// `BOTFLEET_STRIPE_PRICE_PRO_ANNUAL` and `BOTFLEET_STRIPE_PRICE_MAX_ANNUAL` (both or neither):
    /// the yearly price ids; without them a card checkout on Stripe is monthly only.
    pub annual_prices: Option<(String, String)>,
    /// `BOTFLEET_STRIPE_API_BASE` (default Stripe's real API; tests point it at a mock).
    pub api_base: String,
}

/// Mercado Pago, when `BOTFLEET_MERCADOPAGO_ACCESS_TOKEN` is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MercadoPagoSettings {
    /// `BOTFLEET_MERCADOPAGO_ACCESS_TOKEN`.
    pub access_token: Secret,
    /// `BOTFLEET_MERCADOPAGO_WEBHOOK_SECRET`: verifies `x-signature`.
    pub webhook_secret: Secret,
    /// `BOTFLEET_MERCADOPAGO_API_BASE` (default Mercado Pago's real API).
    pub api_base: String,
}

/// Payments and subscription upkeep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentSettings {
    /// Stripe, if configured.
    pub stripe: Option<StripeSettings>,
    /// Mercado Pago, if configured.
    pub mercadopago: Option<MercadoPagoSettings>,
    /// `BOTFLEET_SUBSCRIPTION_RECONCILE_SECS`: how often paid subscriptions are re-read from their
    /// provider (default 3600; `0` turns it off).
    pub reconcile_every: Option<Duration>,
    /// What each plan allows. Bot limits: `BOTFLEET_PLAN_FREE_MAX_BOTS` (default 2),
    /// `BOTFLEET_PLAN_PRO_MAX_BOTS` (default 10), `BOTFLEET_PLAN_MAX_MAX_BOTS` (default
    /// `unlimited`): a whole number from 0 to 1000000, or `unlimited`.
    pub entitlements: EntitlementTable,
    /// `BOTFLEET_TRIAL_DAYS`: days of the free PRO trial, once per user (default 7, at most 90;
    /// `0` turns trials off).
    pub trial_days: u32,
}

/// One plan's bot limit from `var`, or the default table's.
fn bot_limit(env: &mut Env, var: &'static str, plan: Plan) -> Limit {
    let default = EntitlementTable::default().for_plan(plan).bots;
    match env.raw(var) {
        None => default,
        Some(raw) if raw.eq_ignore_ascii_case("unlimited") => Limit::Unlimited,
        Some(raw) => match raw.parse::<u32>() {
            Ok(max) if max <= MAX_BOT_LIMIT => Limit::Limited(max),
            _ => {
                env.error(var, format!("expected a whole number from 0 to {MAX_BOT_LIMIT}, or `unlimited`"));
                default
            }
        },
    }
}

/// The yearly Stripe price ids, both or neither.
fn stripe_annual_prices(env: &mut Env) -> Option<(String, String)> {
    let read = |var| env.raw(var).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (pro, max) = (read("BOTFLEET_STRIPE_PRICE_PRO_ANNUAL"), read("BOTFLEET_STRIPE_PRICE_MAX_ANNUAL"));
    match (pro, max) {
        (Some(pro), Some(max)) => Some((pro, max)),
        (None, None) => None,
        (Some(_), None) => {
            env.error("BOTFLEET_STRIPE_PRICE_MAX_ANNUAL", "is required when BOTFLEET_STRIPE_PRICE_PRO_ANNUAL is set");
            None
        }
        (None, Some(_)) => {
            env.error("BOTFLEET_STRIPE_PRICE_PRO_ANNUAL", "is required when BOTFLEET_STRIPE_PRICE_MAX_ANNUAL is set");
            None
        }
    }
}

/// A plan's annual price in BRL from `var` (more than 0, centavos at most, at most twelve monthly
/// prices); `None` keeps ten months' price.
fn annual_price(env: &mut Env, var: &'static str, plan: Plan) -> Option<Decimal> {
    let raw = env.raw(var)?;
    let most = EntitlementTable::default().monthly_price_brl(plan) * Decimal::from(12);
    match raw.trim().parse::<Decimal>() {
        Ok(price) if price > Decimal::ZERO && price <= most && price.normalize().scale() <= 2 => Some(price),
        _ => {
            env.error(var, format!("expected a price in BRL above 0 and at most {most}, like `199.00`"));
            None
        }
    }
}

fn required(env: &mut Env, var: &'static str, because: &str) -> String {
    match env.raw(var).filter(|v| !v.trim().is_empty()) {
        Some(value) => value.trim().to_owned(),
        None => {
            env.error(var, format!("is required when {because} is set"));
            String::new()
        }
    }
}

fn api_base(env: &mut Env, var: &'static str, default: &str) -> String {
    let base = env.string(var, default).trim_end_matches('/').to_owned();
    if !base.starts_with("https://") && !base.starts_with("http://") {
        env.error(var, "expected an http(s) base URL like `https://api.stripe.com`");
    }
    base
}

impl PaymentSettings {
    pub(super) fn load(env: &mut Env) -> Self {
        let stripe = env.secret("BOTFLEET_STRIPE_SECRET_KEY").map(|secret_key| {
            const BECAUSE: &str = "BOTFLEET_STRIPE_SECRET_KEY";
            let webhook_secret = Secret::new(required(env, "BOTFLEET_STRIPE_WEBHOOK_SECRET", BECAUSE));
            StripeSettings {
                secret_key,
                webhook_secret,
                price_pro: required(env, "BOTFLEET_STRIPE_PRICE_PRO", BECAUSE),
                price_max: required(env, "BOTFLEET_STRIPE_PRICE_MAX", BECAUSE),
                annual_prices: stripe_annual_prices(env),
                api_base: api_base(env, "BOTFLEET_STRIPE_API_BASE", STRIPE_API_BASE),
            }
        });
        let mercadopago = env.secret("BOTFLEET_MERCADOPAGO_ACCESS_TOKEN").map(|access_token| {
            let webhook_secret =
                Secret::new(required(env, "BOTFLEET_MERCADOPAGO_WEBHOOK_SECRET", "BOTFLEET_MERCADOPAGO_ACCESS_TOKEN"));
            MercadoPagoSettings {
                access_token,
                webhook_secret,
                api_base: api_base(env, "BOTFLEET_MERCADOPAGO_API_BASE", MERCADOPAGO_API_BASE),
            }
        });
        let secs: u64 = env.parse("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", 3600, "a number of seconds (0 turns it off)");
        let entitlements = EntitlementTable::with_bot_limits(
            bot_limit(env, "BOTFLEET_PLAN_FREE_MAX_BOTS", Plan::Free),
            bot_limit(env, "BOTFLEET_PLAN_PRO_MAX_BOTS", Plan::Pro),
            bot_limit(env, "BOTFLEET_PLAN_MAX_MAX_BOTS", Plan::Max),
        );
        let entitlements = entitlements.with_annual_prices(
            annual_price(env, "BOTFLEET_PLAN_PRO_ANNUAL_PRICE", Plan::Pro),
            annual_price(env, "BOTFLEET_PLAN_MAX_ANNUAL_PRICE", Plan::Max),
        );
        let mut trial_days: u32 =
            env.parse("BOTFLEET_TRIAL_DAYS", 7, "a number of days from 0 to 90 (0 turns trials off)");
        if trial_days > 90 {
            env.error("BOTFLEET_TRIAL_DAYS", "expected a number of days from 0 to 90 (0 turns trials off)");
            trial_days = 7;
        }
        let reconcile_every = (secs > 0).then(|| Duration::from_secs(secs));
        Self { stripe, mercadopago, reconcile_every, entitlements, trial_days }
    }
}

#[cfg(test)]
mod tests {
    use domain::subscriptions::{EntitlementTable, Limit, Plan};

    use crate::settings::Settings;

    fn with(pairs: &[(&str, &str)]) -> Result<Settings, String> {
        let mut all = vec![("BOTFLEET_DEV_MODE", "true"), ("BOTFLEET_DATA_DIR", ":memory:")];
        all.extend_from_slice(pairs);
        Settings::from_pairs(&all).map_err(|e| e.to_string())
    }

    #[test]
    fn providers_are_off_without_their_secrets() {
        let s = with(&[]).unwrap();
        assert!(s.payments.stripe.is_none() && s.payments.mercadopago.is_none());
        assert_eq!(s.payments.reconcile_every, Some(std::time::Duration::from_secs(3600)));
    }

    #[test]
    fn a_half_configured_stripe_names_what_is_missing_without_the_secret() {
        let err = with(&[("BOTFLEET_STRIPE_SECRET_KEY", "sk_test_abcdef123456")]).unwrap_err();
        for var in ["BOTFLEET_STRIPE_WEBHOOK_SECRET", "BOTFLEET_STRIPE_PRICE_PRO", "BOTFLEET_STRIPE_PRICE_MAX"] {
            assert!(err.contains(var), "{err}");
        }
        assert!(!err.contains("sk_test_abcdef123456"), "{err}");
    }

    #[test]
    fn full_settings_are_read_and_secrets_redacted() {
        let s = with(&[
            ("BOTFLEET_STRIPE_SECRET_KEY", "sk_test_abcdef123456"),
            ("BOTFLEET_STRIPE_WEBHOOK_SECRET", "whsec_zzz"),
            ("BOTFLEET_STRIPE_PRICE_PRO", "price_pro"),
            ("BOTFLEET_STRIPE_PRICE_MAX", "price_max"),
            ("BOTFLEET_STRIPE_API_BASE", "http://127.0.0.1:9/"),
            ("BOTFLEET_MERCADOPAGO_ACCESS_TOKEN", "APP_USR-123"),
            ("BOTFLEET_MERCADOPAGO_WEBHOOK_SECRET", "mp-secret"),
            ("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "0"),
        ])
        .unwrap();
        let stripe = s.payments.stripe.as_ref().unwrap();
        assert_eq!((stripe.price_pro.as_str(), stripe.api_base.as_str()), ("price_pro", "http://127.0.0.1:9"));
        assert_eq!(s.payments.mercadopago.as_ref().unwrap().api_base, super::MERCADOPAGO_API_BASE);
        assert_eq!(s.payments.reconcile_every, None);
        let debug = format!("{s:?}");
        for secret in ["sk_test_abcdef123456", "whsec_zzz", "APP_USR-123", "mp-secret"] {
            assert!(!debug.contains(secret), "{secret} leaked");
        }
    }

    #[test]
    fn plan_bot_limits_default_to_the_catalogue_and_are_configurable() {
        assert_eq!(with(&[]).unwrap().payments.entitlements, EntitlementTable::default());
        let s = with(&[
            ("BOTFLEET_PLAN_FREE_MAX_BOTS", "1"),
            ("BOTFLEET_PLAN_PRO_MAX_BOTS", "unlimited"),
            ("BOTFLEET_PLAN_MAX_MAX_BOTS", "500"),
        ])
        .unwrap();
        let limits = Plan::ALL.map(|p| s.payments.entitlements.for_plan(p).bots);
        assert_eq!(limits, [Limit::Limited(1), Limit::Unlimited, Limit::Limited(500)]);
        for bad in ["-1", "many", "1000001"] {
            let err = with(&[("BOTFLEET_PLAN_PRO_MAX_BOTS", bad)]).unwrap_err();
            assert!(err.contains("BOTFLEET_PLAN_PRO_MAX_BOTS"), "{bad}: {err}");
        }
    }

    #[test]
    fn annual_prices_are_configurable_and_checked() {
        let s = with(&[("BOTFLEET_PLAN_PRO_ANNUAL_PRICE", "179.10")]).unwrap();
        let annual = |p| s.payments.entitlements.annual_price_brl(p);
        assert_eq!((annual(Plan::Pro).to_string(), annual(Plan::Max).to_string()), ("179.10".into(), "970".into()));
        for bad in ["0", "-5", "abc", "238.81", "100.001"] {
            let err = with(&[("BOTFLEET_PLAN_PRO_ANNUAL_PRICE", bad)]).unwrap_err();
            assert!(err.contains("BOTFLEET_PLAN_PRO_ANNUAL_PRICE"), "{bad}: {err}");
        }
        let stripe = [
            ("BOTFLEET_STRIPE_SECRET_KEY", "sk_test_abcdef123456"),
            ("BOTFLEET_STRIPE_WEBHOOK_SECRET", "whsec_zzz"),
            ("BOTFLEET_STRIPE_PRICE_PRO", "price_pro"),
            ("BOTFLEET_STRIPE_PRICE_MAX", "price_max"),
            ("BOTFLEET_STRIPE_PRICE_PRO_ANNUAL", "price_pro_y"),
        ];
        let err = with(&stripe).unwrap_err();
        assert!(err.contains("BOTFLEET_STRIPE_PRICE_MAX_ANNUAL"), "{err}");
        let mut both = stripe.to_vec();
        both.push(("BOTFLEET_STRIPE_PRICE_MAX_ANNUAL", "price_max_y"));
        let s = with(&both).unwrap();
        let annual = s.payments.stripe.unwrap().annual_prices;
        assert_eq!(annual, Some(("price_pro_y".to_owned(), "price_max_y".to_owned())));
    }
}
