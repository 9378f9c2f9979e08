//! Settings of the Mercado Bitcoin adapter: where the API lives, how to authenticate, time-outs.

use std::time::Duration;

/// The production API root.
pub const DEFAULT_BASE_URL: &str = "https://api.mercadobitcoin.net/api/v4";

/// How the adapter obtains its bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// OAuth2 client credentials first (newer docs); `POST /authorize` when the OAuth2 endpoint
    /// does not exist (404/405, remembered for the process) or refuses the key.
    #[default]
    Auto,
    /// Only OAuth2 client credentials at [`MercadoBitcoinConfig::oauth_token_url`].
    OAuth2,
    /// Only `POST {base_url}/authorize` with login and password (API v4 swagger).
    Authorize,
}

/// Adapter settings. `Default` points at production.
#[derive(Clone, Debug)]
pub struct MercadoBitcoinConfig {
    /// API root, without a trailing slash (`https://api.mercadobitcoin.net/api/v4`).
    pub base_url: String,
    /// OAuth2 token endpoint; derived from `base_url` (`{host}/oauth2/token`) when `None`.
    pub oauth_token_url: Option<String>,
    /// Which token flow to use.
    pub auth_mode: AuthMode,
    /// Whole-request time-out (connect, send, read the answer).
    pub request_timeout: Duration,
    /// Connection time-out (a request that never connected was certainly not processed).
    pub connect_timeout: Duration,
    /// Tokens are renewed this long before they expire.
    pub token_renew_margin: Duration,
    /// How long the market list (`/symbols`) is reused before it is read again.
    pub markets_ttl: Duration,
    /// A call waits at most this long for the rate limiter; beyond it fails with `RateLimited`.
    pub max_rate_limit_wait: Duration,
}

impl Default for MercadoBitcoinConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            oauth_token_url: None,
            auth_mode: AuthMode::Auto,
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            token_renew_margin: Duration::from_secs(60),
            markets_ttl: Duration::from_secs(300),
            max_rate_limit_wait: Duration::from_secs(10),
        }
    }
}

impl MercadoBitcoinConfig {
    /// Production settings with another API root (tests point it at a mock server).
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        Self { base_url: base_url.into(), ..Self::default() }
    }

    /// The API root without a trailing slash.
    pub(crate) fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The OAuth2 token endpoint: the configured one, or `/oauth2/token` on the API's host
    /// (the endpoint lives outside `/api/v4`).
    pub(crate) fn oauth_url(&self) -> String {
        if let Some(url) = &self.oauth_token_url {
            return url.clone();
        }
        let base = self.base();
        let root = base.strip_suffix("/api/v4").unwrap_or(base);
        format!("{root}/oauth2/token")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_url_is_derived_from_the_api_root() {
        assert_eq!(MercadoBitcoinConfig::default().oauth_url(), "https://api.mercadobitcoin.net/oauth2/token");
        let local = MercadoBitcoinConfig::with_base_url("http://127.0.0.1:9/api/v4/");
        assert_eq!(local.oauth_url(), "http://127.0.0.1:9/oauth2/token");
        let explicit = MercadoBitcoinConfig { oauth_token_url: Some("http://x/t".into()), ..local };
        assert_eq!(explicit.oauth_url(), "http://x/t");
    }
}
