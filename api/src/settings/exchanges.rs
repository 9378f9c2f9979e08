//! Exchange settings: where the live adapters call, the paper exchange, market-data control and
//! credential revalidation.

use std::time::Duration;

use infrastructure::exchanges::market_cache::MarketCacheConfig;
use infrastructure::exchanges::paper::PaperConfig;
use infrastructure::exchanges::resilient::ResilienceConfig;

use super::Env;

/// Which kind of deployment this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine (default).
    Development,
    /// Automated tests.
    Test,
    /// Serving real users: test-only features are refused.
    Production,
}

/// Exchanges.
#[derive(Clone, Debug)]
pub struct ExchangeSettings {
    /// `BOTFLEET_BINANCE_BASE_URL` (default `https://api.binance.com`).
    pub binance_base_url: String,
    /// `BOTFLEET_BINANCE_TESTNET_URL` (default `https://testnet.binance.vision`).
    pub binance_testnet_url: String,
    /// `BOTFLEET_MERCADO_BITCOIN_BASE_URL` (default `https://api.mercadobitcoin.net/api/v4`).
    pub mercado_bitcoin_base_url: String,
    /// `BOTFLEET_EXCHANGE_HTTP_TIMEOUT_MS`: time limit of one exchange HTTP request (default 10000).
    pub request_timeout: Duration,
    /// The paper exchange (`BOTFLEET_PAPER_*`).
    pub paper: PaperConfig,
    /// `BOTFLEET_PAPER_CONTROL`: serve `POST /api/paper/prices` and `POST /api/paper/withdrawals`
    /// (default false; refused when `BOTFLEET_ENVIRONMENT=production`).
    pub paper_control: bool,
    /// Time-outs, retries and the circuit breaker around live exchanges (`BOTFLEET_EXCHANGE_*`).
    pub resilience: ResilienceConfig,
    /// The shared market-data cache (`BOTFLEET_TICKER_CACHE_MS`, `BOTFLEET_CANDLE_CACHE_MS`,
    /// `BOTFLEET_MARKETS_CACHE_SECS`).
    pub market_cache: MarketCacheConfig,
    /// `BOTFLEET_CREDENTIAL_REVALIDATE_SECS`: how often every credential is validated again
    /// (default 86400, daily; `0` turns it off).
    pub revalidate_every: Option<Duration>,
}

fn base_url(env: &mut Env, var: &'static str, default: &str) -> String {
    let url = env.string(var, default).trim_end_matches('/').to_owned();
    if !url.starts_with("https://") && !url.starts_with("http://") {
        env.error(var, "expected an http(s) base URL");
    }
    url
}

impl ExchangeSettings {
    pub(super) fn load(env: &mut Env, environment: Environment) -> Self {
        let paper = match PaperConfig::from_lookup(|var| env.raw(var)) {
            Ok(config) => config,
            Err(err) => {
                env.error(err.variable, err.reason);
                PaperConfig::default()
            }
        };
        let resilience = ResilienceConfig::from_lookup(|var| env.raw(var)).unwrap_or_else(|err| {
            env.error(err.variable, err.reason);
            ResilienceConfig::default()
        });
        let market_cache = MarketCacheConfig::from_lookup(|var| env.raw(var)).unwrap_or_else(|err| {
            env.error(err.variable, err.reason);
            MarketCacheConfig::default()
        });
        let paper_control = env.bool("BOTFLEET_PAPER_CONTROL", false);
        if paper_control && environment == Environment::Production {
            env.error("BOTFLEET_PAPER_CONTROL", "must not be enabled when BOTFLEET_ENVIRONMENT=production");
        }
        let timeout_ms: u64 = env.parse("BOTFLEET_EXCHANGE_HTTP_TIMEOUT_MS", 10_000, "a number of milliseconds");
        let revalidate: u64 =
            env.parse("BOTFLEET_CREDENTIAL_REVALIDATE_SECS", 86_400, "a number of seconds (0 turns it off)");
        Self {
            binance_base_url: base_url(env, "BOTFLEET_BINANCE_BASE_URL", "https://api.binance.com"),
            binance_testnet_url: base_url(env, "BOTFLEET_BINANCE_TESTNET_URL", "https://testnet.binance.vision"),
            mercado_bitcoin_base_url: base_url(
                env,
                "BOTFLEET_MERCADO_BITCOIN_BASE_URL",
                infrastructure::exchanges::mercado_bitcoin::DEFAULT_BASE_URL,
            ),
            request_timeout: Duration::from_millis(timeout_ms.max(1)),
            paper,
            resilience,
            market_cache,
            paper_control,
            revalidate_every: (revalidate > 0).then(|| Duration::from_secs(revalidate)),
        }
    }
}

impl Environment {
    pub(super) fn load(env: &mut Env) -> Self {
        match env.string("BOTFLEET_ENVIRONMENT", "development").to_ascii_lowercase().as_str() {
            "development" => Environment::Development,
            "test" => Environment::Test,
            "production" => Environment::Production,
            other => {
                env.error("BOTFLEET_ENVIRONMENT", format!("expected development, test or production, got `{other}`"));
                Environment::Development
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    #[test]
    fn paper_control_is_refused_in_production() {
        let base =
            [("BOTFLEET_DEV_MODE", "true"), ("BOTFLEET_DATA_DIR", ":memory:"), ("BOTFLEET_PAPER_CONTROL", "true")];
        assert!(Settings::from_pairs(&base).unwrap().exchanges.paper_control);
        let mut production = base.to_vec();
        production.push(("BOTFLEET_ENVIRONMENT", "production"));
        let err = Settings::from_pairs(&production).unwrap_err().to_string();
        assert!(err.contains("BOTFLEET_PAPER_CONTROL"), "{err}");
    }

    #[test]
    fn bad_paper_settings_name_the_variable() {
        let pairs =
            [("BOTFLEET_DEV_MODE", "true"), ("BOTFLEET_DATA_DIR", ":memory:"), ("BOTFLEET_PAPER_BRL_PER_USD", "-1")];
        let err = Settings::from_pairs(&pairs).unwrap_err().to_string();
        assert!(err.contains("BOTFLEET_PAPER_BRL_PER_USD"), "{err}");
    }
}
