//! The HTTP layer: weight reservation, request signing with the server-time offset, `-1021`
//! resync-and-retry, and translation of statuses (429, 418, 403, 5xx) and error bodies.

use std::sync::Arc;
use std::time::Duration;

use domain::exchange::{ApiCredentials, ExchangeError};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use time::OffsetDateTime;

use super::clock::{local_ms, ServerClock};
use super::errors::{CallError, BACKEND_TIMEOUT, INVALID_TIMESTAMP};
use super::limiter::WeightLimiter;
use super::mapping::MarketCache;
use super::signing::{encode_params, sign};

/// Ban length assumed when a 418 carries no `Retry-After` (Binance's shortest ban).
const DEFAULT_BAN: Duration = Duration::from_secs(120);
/// Pause assumed when a 429 carries no `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);

/// One Binance deployment (live or testnet) and what we know of it: its budget, clock and markets.
#[derive(Debug)]
pub(crate) struct Network {
    pub(crate) base_url: String,
    pub(crate) limiter: Arc<WeightLimiter>,
    pub(crate) clock: ServerClock,
    pub(crate) markets: tokio::sync::Mutex<Option<Arc<MarketCache>>>,
}

impl Network {
    pub(crate) fn new(base_url: &str, limiter: Arc<WeightLimiter>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            limiter,
            clock: ServerClock::default(),
            markets: tokio::sync::Mutex::new(None),
        }
    }
}

/// One request to make: method, path, weight (known before sending) and parameters in order.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) weight: u32,
    pub(crate) params: Vec<(&'static str, String)>,
}

impl Call {
    pub(crate) fn get(path: &'static str, weight: u32) -> Self {
        Self { method: Method::GET, path, weight, params: Vec::new() }
    }

    pub(crate) fn new(method: Method, path: &'static str, weight: u32) -> Self {
        Self { method, path, weight, params: Vec::new() }
    }

    pub(crate) fn param(mut self, key: &'static str, value: impl ToString) -> Self {
        self.params.push((key, value.to_string()));
        self
    }

    pub(crate) fn opt_param(self, key: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.param(key, v),
            None => self,
        }
    }
}

#[derive(Deserialize)]
struct ApiErrorBody {
    code: i64,
    msg: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerTime {
    server_time: i64,
}

/// Sends [`Call`]s. Holds no credentials: signed calls take them per call.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    http: reqwest::Client,
    recv_window_ms: u64,
    clock_max_age: Duration,
}

impl HttpClient {
    /// A client whose every request times out after `timeout`, sending `recv_window_ms` with
    /// signed calls and relearning the server-time offset once it is older than `clock_max_age`.
    pub(crate) fn new(timeout: Duration, recv_window_ms: u64, clock_max_age: Duration) -> Result<Self, ExchangeError> {
        let http = reqwest::Client::builder().timeout(timeout).build().map_err(ExchangeError::unavailable)?;
        Ok(Self { http, recv_window_ms, clock_max_age })
    }

    /// An unsigned (market data) call.
    pub(crate) async fn public<T: DeserializeOwned>(&self, net: &Network, call: &Call) -> Result<T, CallError> {
        let query = encode_params(&call.params);
        decode(self.send(net, &call.method, call.path, call.weight, query, None, None).await?)
    }

    /// A signed call: syncs the clock on first use (and when the offset is stale) and, on `-1021`,
    /// resyncs and sends once more (safe even for orders: `-1021` means Binance refused the
    /// request before matching).
    pub(crate) async fn signed<T: DeserializeOwned>(
        &self,
        net: &Network,
        creds: &ApiCredentials,
        call: &Call,
    ) -> Result<T, CallError> {
        if net.clock.is_stale(self.clock_max_age) {
            self.sync_clock(net).await.map_err(not_sent)?;
        }
        match self.send_signed(net, creds, call).await {
            Err(CallError::Api { code: INVALID_TIMESTAMP, .. }) => {
                tracing::info!(path = call.path, "binance -1021: resyncing the clock and retrying once");
                self.sync_clock(net).await.map_err(not_sent)?;
                decode(self.send_signed(net, creds, call).await?)
            }
            other => decode(other?),
        }
    }

    /// Learns the server-time offset from `GET /api/v3/time` (weight 1).
    pub(crate) async fn sync_clock(&self, net: &Network) -> Result<(), CallError> {
        let sent = local_ms();
        let body = self.send(net, &Method::GET, "/api/v3/time", 1, String::new(), None, None).await?;
        let time: ServerTime = decode(body)?;
        let offset = net.clock.record(time.server_time, sent, local_ms());
        tracing::debug!(offset_ms = offset, "binance clock synced");
        Ok(())
    }

    async fn send_signed(&self, net: &Network, creds: &ApiCredentials, call: &Call) -> Result<Vec<u8>, CallError> {
        let mut params: Vec<(&str, String)> = call.params.iter().map(|(k, v)| (*k, v.clone())).collect();
        params.push(("recvWindow", self.recv_window_ms.to_string()));
        params.push(("timestamp", net.clock.timestamp_ms().to_string()));
        let encoded = encode_params(&params);
        // POST parameters travel in the form body; the others in the query string.
        let (query, body) =
            if call.method == Method::POST { (String::new(), encoded) } else { (encoded, String::new()) };
        let signature = sign(&creds.api_secret, &query, &body);
        let (query, body) = if call.method == Method::POST {
            (query, Some(format!("{body}&signature={signature}")))
        } else {
            (format!("{query}&signature={signature}"), None)
        };
        self.send(net, &call.method, call.path, call.weight, query, body, Some(creds.api_key.expose())).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn send(
        &self,
        net: &Network,
        method: &Method,
        path: &'static str,
        weight: u32,
        query: String,
        body: Option<String>,
        api_key: Option<&str>,
    ) -> Result<Vec<u8>, CallError> {
        net.limiter.acquire(weight).await?;
        let mut url = format!("{}{}", net.base_url, path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let mut request = self.http.request(method.clone(), url);
        if let Some(key) = api_key {
            request = request.header("X-MBX-APIKEY", key);
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/x-www-form-urlencoded").body(body);
        }
        // Errors are stripped of the URL: a signed URL carries the signature.
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_builder() || e.is_connect() => {
                return Err(CallError::Failed(ExchangeError::unavailable(e.without_url())))
            }
            Err(e) if e.is_timeout() => return Err(CallError::Unknown(format!("{path} timed out"))),
            Err(e) => return Err(CallError::Unknown(format!("{path}: {}", e.without_url()))),
        };
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(used) = header_u64(&headers, "x-mbx-used-weight-1m") {
            net.limiter.record_used(u32::try_from(used).unwrap_or(u32::MAX));
        }
        tracing::debug!(path, weight, status = status.as_u16(), "binance call");
        let retry_after = header_u64(&headers, "retry-after").map(Duration::from_secs);
        match status {
            StatusCode::IM_A_TEAPOT => {
                let until = OffsetDateTime::now_utc() + retry_after.unwrap_or(DEFAULT_BAN);
                net.limiter.ban(until);
                tracing::warn!(%until, "binance banned this IP (418)");
                return Err(ExchangeError::Banned { until }.into());
            }
            StatusCode::TOO_MANY_REQUESTS => {
                let wait = retry_after.unwrap_or(DEFAULT_PAUSE);
                net.limiter.pause(wait);
                tracing::warn!(retry_after_secs = wait.as_secs(), "binance rate limit hit (429)");
                return Err(ExchangeError::RateLimited { retry_after_secs: wait.as_secs() }.into());
            }
            StatusCode::FORBIDDEN => {
                let message = "request blocked by the web application firewall (HTTP 403)".to_owned();
                return Err(ExchangeError::Rejected { code: "403".to_owned(), message }.into());
            }
            s if s.is_server_error() => return Err(CallError::Unknown(format!("{path} answered HTTP {s}"))),
            _ => {}
        }
        let bytes = response.bytes().await.map_err(|e| CallError::Unknown(format!("{path}: {}", e.without_url())))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        match serde_json::from_slice::<ApiErrorBody>(&bytes) {
            Ok(err) if err.code == BACKEND_TIMEOUT => Err(CallError::Unknown(err.msg)),
            Ok(err) => Err(CallError::Api { code: err.code, msg: err.msg }),
            Err(_) => Err(CallError::Failed(ExchangeError::Rejected {
                code: status.as_u16().to_string(),
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            })),
        }
    }
}

/// A failure of a preliminary call (the clock sync): the call proper was never sent.
fn not_sent(err: CallError) -> CallError {
    match err {
        CallError::Unknown(why) => CallError::Failed(ExchangeError::unavailable(anyhow::anyhow!("binance: {why}"))),
        other => other,
    }
}

fn header_u64(headers: &reqwest::header::HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// An answer that cannot be read is treated like a lost answer: the call may have taken effect.
fn decode<T: DeserializeOwned>(body: Vec<u8>) -> Result<T, CallError> {
    serde_json::from_slice(&body).map_err(|e| CallError::Unknown(format!("unreadable answer: {e}")))
}
