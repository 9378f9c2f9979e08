//! [`ResilienceConfig`]: time-outs, retry and circuit-breaker settings of [`super::ResilientExchange`],
//! with defaults and the `BOTFLEET_EXCHANGE_*` variables that override them (see
//! docs/exchanges/resilience.md).

use std::time::Duration;

/// Time-outs per call kind, retry policy and breaker thresholds. One value serves every decorated
/// exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResilienceConfig {
    /// Time-out of each attempt of a read call (market data and account reads). A time-out becomes
    /// `Unavailable`. `BOTFLEET_EXCHANGE_TIMEOUT_MS`, default 15 000 (above the adapters' own 10 s
    /// HTTP time-out, so theirs normally fires first with a precise error).
    pub read_timeout: Duration,
    /// Time-out of `place_order`. A time-out becomes `OutcomeUnknown`. Generous, because the
    /// adapters resolve an unknown outcome by client order id themselves before giving up.
    /// `BOTFLEET_EXCHANGE_ORDER_TIMEOUT_MS`, default 40 000.
    pub place_order_timeout: Duration,
    /// Time-out of `cancel_order`. A time-out becomes `OutcomeUnknown` (the cancel may have taken
    /// effect). `BOTFLEET_EXCHANGE_ORDER_TIMEOUT_MS` too, default 40 000.
    pub cancel_order_timeout: Duration,
    /// Attempts in total of an idempotent call, first one included (at least 1). Default 3.
    pub max_attempts: u32,
    /// Backoff before the second attempt; it doubles for each further one. Default 200 ms.
    pub backoff_base: Duration,
    /// Upper bound of one backoff. Default 2 s.
    pub backoff_max: Duration,
    /// Randomise each backoff within its upper half (`[d/2, d]`), so callers that failed together
    /// do not retry together. Default true.
    pub jitter: bool,
    /// A `RateLimited { retry_after_secs }` is retried (after that wait) only if the wait is at
    /// most this long; otherwise it is returned at once. Default 2 s.
    pub max_rate_limit_wait: Duration,
    /// Consecutive failures (transient errors and time-outs) that open the breaker (at least 1).
    /// `BOTFLEET_EXCHANGE_BREAKER_FAILURES`, default 5.
    pub breaker_failures: u32,
    /// How long the breaker stays open before it lets one probe call through.
    /// `BOTFLEET_EXCHANGE_BREAKER_COOLDOWN_SECS`, default 30.
    pub breaker_cooldown: Duration,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            read_timeout: Duration::from_secs(15),
            place_order_timeout: Duration::from_secs(40),
            cancel_order_timeout: Duration::from_secs(40),
            max_attempts: 3,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(2),
            jitter: true,
            max_rate_limit_wait: Duration::from_secs(2),
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// A `BOTFLEET_EXCHANGE_*` variable holds an unusable value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ResilienceConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl ResilienceConfig {
    /// The defaults overridden by the variables `lookup` finds (`std::env::var(..).ok()` in
    /// production). Errors name the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ResilienceConfigError> {
        let mut config = Self::default();
        if let Some(ms) = positive(&lookup, "BOTFLEET_EXCHANGE_TIMEOUT_MS")? {
            config.read_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = positive(&lookup, "BOTFLEET_EXCHANGE_ORDER_TIMEOUT_MS")? {
            config.place_order_timeout = Duration::from_millis(ms);
            config.cancel_order_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = positive(&lookup, "BOTFLEET_EXCHANGE_BREAKER_FAILURES")? {
            config.breaker_failures =
                u32::try_from(n).map_err(|_| bad("BOTFLEET_EXCHANGE_BREAKER_FAILURES", "too large"))?;
        }
        if let Some(secs) = positive(&lookup, "BOTFLEET_EXCHANGE_BREAKER_COOLDOWN_SECS")? {
            config.breaker_cooldown = Duration::from_secs(secs);
        }
        Ok(config)
    }

    /// The defaults overridden by the process's `BOTFLEET_EXCHANGE_*` environment variables.
    pub fn from_env() -> Result<Self, ResilienceConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

/// Reads a positive integer variable; blank counts as unset.
fn positive(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<u64>, ResilienceConfigError> {
    let Some(raw) = lookup(variable).filter(|v| !v.trim().is_empty()) else { return Ok(None) };
    match raw.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(bad(variable, "expected a positive integer")),
    }
}

fn bad(variable: &'static str, reason: &str) -> ResilienceConfigError {
    ResilienceConfigError { variable, reason: reason.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_the_defaults() {
        let config = ResilienceConfig::from_lookup(|name| match name {
            "BOTFLEET_EXCHANGE_TIMEOUT_MS" => Some("2500".into()),
            "BOTFLEET_EXCHANGE_ORDER_TIMEOUT_MS" => Some("9000".into()),
            "BOTFLEET_EXCHANGE_BREAKER_FAILURES" => Some(" 7 ".into()),
            "BOTFLEET_EXCHANGE_BREAKER_COOLDOWN_SECS" => Some("".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.read_timeout, Duration::from_millis(2_500));
        assert_eq!(config.place_order_timeout, Duration::from_secs(9));
        assert_eq!(config.cancel_order_timeout, Duration::from_secs(9));
        assert_eq!(config.breaker_failures, 7);
        assert_eq!(config.breaker_cooldown, ResilienceConfig::default().breaker_cooldown);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for raw in ["0", "-1", "soon"] {
            let err = ResilienceConfig::from_lookup(|name| {
                (name == "BOTFLEET_EXCHANGE_BREAKER_COOLDOWN_SECS").then(|| raw.to_owned())
            })
            .unwrap_err();
            assert_eq!(err.variable, "BOTFLEET_EXCHANGE_BREAKER_COOLDOWN_SECS", "{raw}");
        }
    }
}
