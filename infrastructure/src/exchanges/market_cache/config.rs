//! [`MarketCacheConfig`]: how long [`super::MarketDataCache`] keeps each kind of market data, with
//! defaults and the `BOTFLEET_*_CACHE_*` variables that override them (see
//! docs/exchanges/resilience.md).

use std::time::Duration;

/// Time-to-live per kind of market data. A zero TTL turns caching of that kind off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketCacheConfig {
    /// Tickers, per symbol. `BOTFLEET_TICKER_CACHE_MS`, default 1 000.
    pub ticker_ttl: Duration,
    /// Order books, per (symbol, depth). Default 1 s.
    pub order_book_ttl: Duration,
    /// Latest-candle series, per (symbol, timeframe, limit). `BOTFLEET_CANDLE_CACHE_MS`, default
    /// 10 000. Shortened to the end of the newest candle's period (see `candle_min_ttl`), so a
    /// new candle shows as soon as its period starts.
    pub candle_ttl: Duration,
    /// The shortest candle TTL when the newest candle's period is over or about to be (the
    /// exchange has not opened the next one yet). Default 500 ms.
    pub candle_min_ttl: Duration,
    /// The market list and single markets. `BOTFLEET_MARKETS_CACHE_SECS`, default 300.
    pub markets_ttl: Duration,
    /// Entries kept per kind before expired ones are swept. Default 10 000.
    pub max_entries: usize,
}

impl Default for MarketCacheConfig {
    fn default() -> Self {
        Self {
            ticker_ttl: Duration::from_secs(1),
            order_book_ttl: Duration::from_secs(1),
            candle_ttl: Duration::from_secs(10),
            candle_min_ttl: Duration::from_millis(500),
            markets_ttl: Duration::from_secs(300),
            max_entries: 10_000,
        }
    }
}

/// A cache variable holds an unusable value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct MarketCacheConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl MarketCacheConfig {
    /// The defaults overridden by the variables `lookup` finds (`std::env::var(..).ok()` in
    /// production). Errors name the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, MarketCacheConfigError> {
        let mut config = Self::default();
        if let Some(ms) = whole(&lookup, "BOTFLEET_TICKER_CACHE_MS")? {
            config.ticker_ttl = Duration::from_millis(ms);
        }
        if let Some(ms) = whole(&lookup, "BOTFLEET_CANDLE_CACHE_MS")? {
            config.candle_ttl = Duration::from_millis(ms);
        }
        if let Some(secs) = whole(&lookup, "BOTFLEET_MARKETS_CACHE_SECS")? {
            config.markets_ttl = Duration::from_secs(secs);
        }
        Ok(config)
    }

    /// The defaults overridden by the process's environment variables.
    pub fn from_env() -> Result<Self, MarketCacheConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

/// Reads a whole number (zero allowed: it turns the cache off); blank counts as unset.
fn whole(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<u64>, MarketCacheConfigError> {
    let Some(raw) = lookup(variable).filter(|v| !v.trim().is_empty()) else { return Ok(None) };
    raw.trim()
        .parse::<u64>()
        .map(Some)
        .map_err(|_| MarketCacheConfigError { variable, reason: "expected a whole number".to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_the_defaults_and_zero_is_allowed() {
        let config = MarketCacheConfig::from_lookup(|name| match name {
            "BOTFLEET_TICKER_CACHE_MS" => Some("250".into()),
            "BOTFLEET_CANDLE_CACHE_MS" => Some("0".into()),
            "BOTFLEET_MARKETS_CACHE_SECS" => Some(" ".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.ticker_ttl, Duration::from_millis(250));
        assert_eq!(config.candle_ttl, Duration::ZERO);
        assert_eq!(config.markets_ttl, MarketCacheConfig::default().markets_ttl);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = MarketCacheConfig::from_lookup(|name| (name == "BOTFLEET_CANDLE_CACHE_MS").then(|| "10s".into()))
            .unwrap_err();
        assert_eq!(err.variable, "BOTFLEET_CANDLE_CACHE_MS");
    }
}
