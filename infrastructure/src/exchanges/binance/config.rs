//! The adapter's settings: where Binance is, how long to wait, and how much weight to spend.

use std::time::Duration;

use super::limiter::LimiterConfig;

/// How to reach Binance and how careful to be. `Default` is production.
#[derive(Clone, Debug)]
pub struct BinanceConfig {
    /// Live API base URL (market data, and signed calls of live keys).
    pub base_url: String,
    /// Spot testnet base URL, for signed calls of keys marked `testnet`.
    pub testnet_base_url: String,
    /// `recvWindow` sent with signed calls, in ms (Binance's default 5000, maximum 60000).
    pub recv_window_ms: u64,
    /// Time-out of one HTTP request (connect, send and read).
    pub request_timeout: Duration,
    /// How long an exchangeInfo answer (markets, filters, symbol mapping) is reused.
    pub markets_ttl: Duration,
    /// How long a server-time offset is trusted before `GET /api/v3/time` is asked again.
    pub clock_max_age: Duration,
    /// The request-weight budget (kept below Binance's 6000 per minute).
    pub limiter: LimiterConfig,
    /// Names the outgoing IP: adapters of the process with the same name (and host) share one
    /// weight budget. Set it per egress address when the server calls from several.
    pub outgoing_ip: String,
    /// Look-ups of an order whose placement had an unknown outcome, before giving up.
    pub lookup_attempts: u32,
    /// Pause before the n-th look-up: n times this.
    pub lookup_backoff: Duration,
}

impl BinanceConfig {
    /// Binance's production API.
    pub const LIVE_URL: &'static str = "https://api.binance.com";
    /// Binance's spot testnet.
    pub const TESTNET_URL: &'static str = "https://testnet.binance.vision";

    /// Both networks served by one local server (a mock), with a short time-out, recvWindow and
    /// back-off, so tests of lost answers run quickly.
    pub fn local(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            testnet_base_url: base_url.to_owned(),
            recv_window_ms: 1000,
            request_timeout: Duration::from_millis(500),
            lookup_backoff: Duration::from_millis(10),
            limiter: LimiterConfig { max_wait: Duration::from_secs(2), ..LimiterConfig::default() },
            ..Self::default()
        }
    }
}

impl Default for BinanceConfig {
    fn default() -> Self {
        Self {
            base_url: Self::LIVE_URL.to_owned(),
            testnet_base_url: Self::TESTNET_URL.to_owned(),
            recv_window_ms: 5000,
            request_timeout: Duration::from_secs(10),
            markets_ttl: Duration::from_secs(300),
            clock_max_age: Duration::from_secs(600),
            limiter: LimiterConfig::default(),
            outgoing_ip: "default".to_owned(),
            lookup_attempts: 3,
            lookup_backoff: Duration::from_millis(250),
        }
    }
}

/// The host (and port) of a base URL, naming the weight budget it spends; the URL itself when
/// it does not parse.
pub(crate) fn host_of(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => base_url.to_owned(),
        },
        Err(_) => base_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_named_by_host() {
        assert_eq!(host_of(BinanceConfig::LIVE_URL), "api.binance.com");
        assert_eq!(host_of("https://testnet.binance.vision/"), "testnet.binance.vision");
        assert_eq!(host_of("http://127.0.0.1:4567"), "127.0.0.1:4567");
    }

    #[test]
    fn defaults_are_production_and_stay_below_the_limit() {
        let c = BinanceConfig::default();
        assert_eq!(c.base_url, "https://api.binance.com");
        assert_eq!(c.testnet_base_url, "https://testnet.binance.vision");
        assert!(c.limiter.budget < super::super::limiter::BINANCE_WEIGHT_LIMIT_PER_MINUTE);
        assert!(c.recv_window_ms <= 60_000);
    }
}
