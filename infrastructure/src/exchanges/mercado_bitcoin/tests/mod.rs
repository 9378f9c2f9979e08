//! Adapter tests against local wiremock servers serving the documented payloads (examples of the
//! v4 swagger copied into `fixtures/`, some reordered to exercise sorting).

mod auth_tests;
mod gateway_tests;
mod idempotence_tests;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use domain::exchange::ApiCredentials;
use domain::market::Symbol;
use domain::shared::clock::FixedClock;
use time::OffsetDateTime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::{AuthMode, MercadoBitcoin, MercadoBitcoinConfig, RateLimiter};

pub(super) const ACCOUNTS: &str = include_str!("fixtures/accounts.json");
pub(super) const AUTHORIZE: &str = include_str!("fixtures/authorize.json");
pub(super) const TICKERS: &str = include_str!("fixtures/tickers.json");
pub(super) const ORDERBOOK: &str = include_str!("fixtures/orderbook.json");
pub(super) const CANDLES: &str = include_str!("fixtures/candles.json");
pub(super) const SYMBOLS: &str = include_str!("fixtures/symbols.json");
pub(super) const BALANCES: &str = include_str!("fixtures/balances.json");
pub(super) const ORDER: &str = include_str!("fixtures/order.json");
pub(super) const ORDERS_ITEMS: &str = include_str!("fixtures/orders_items.json");

/// The account id of `fixtures/accounts.json`.
pub(super) const ACCOUNT: &str = "a322205ace882ef800553118e5000066";
/// The clock's start: 2023-11-14T22:13:20Z.
pub(super) const T0: i64 = 1_700_000_000;

/// A mock server and an adapter pointed at it, with a clock the test drives.
pub(super) struct Setup {
    pub server: MockServer,
    pub clock: Arc<FixedClock>,
    pub mb: MercadoBitcoin,
}

/// A fresh server and adapter; `/authorize` only unless `mode` says otherwise; no rate limits
/// (their own tests cover them) and a short time-out.
pub(super) async fn setup(mode: AuthMode) -> Setup {
    let server = MockServer::start().await;
    let clock = Arc::new(FixedClock::new(OffsetDateTime::from_unix_timestamp(T0).unwrap()));
    let config = MercadoBitcoinConfig {
        auth_mode: mode,
        request_timeout: Duration::from_millis(500),
        ..MercadoBitcoinConfig::with_base_url(format!("{}/api/v4", server.uri()))
    };
    let mb = MercadoBitcoin::with_parts(config, clock.clone(), Arc::new(RateLimiter::unlimited()));
    Setup { server, clock, mb }
}

pub(super) fn creds() -> ApiCredentials {
    ApiCredentials { api_key: "key-3f786850e387".into(), api_secret: "secret-0bc78dc65837".into(), testnet: false }
}

pub(super) fn btc() -> Symbol {
    Symbol::parse("BTC-BRL").unwrap()
}

pub(super) fn json(body: &str) -> ResponseTemplate {
    with_status(200, body)
}

pub(super) fn with_status(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub(super) fn error(status: u16, code: &str) -> ResponseTemplate {
    with_status(status, &format!(r#"{{"code":"{code}","message":"documented error"}}"#))
}

/// `/authorize` handing out `tok-1`, `tok-2`, … valid until `lifetime` after the clock's start.
pub(super) struct Tokens {
    issued: AtomicUsize,
    lifetime: i64,
}

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        json(&format!(r#"{{"access_token":"tok-{n}","expiration":{}}}"#, T0 + self.lifetime))
    }
}

/// Mounts `/authorize` (expected `times` times) and `/accounts` (any number).
pub(super) async fn mount_auth(server: &MockServer, lifetime: i64, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/v4/authorize"))
        .respond_with(Tokens { issued: AtomicUsize::new(0), lifetime })
        .expect(times)
        .mount(server)
        .await;
    Mock::given(method("GET")).and(path("/api/v4/accounts")).respond_with(json(ACCOUNTS)).mount(server).await;
}

/// Mounts `/symbols` (the BTC-BRL and ETH-BRL fixture).
pub(super) async fn mount_symbols(server: &MockServer) {
    Mock::given(method("GET")).and(path("/api/v4/symbols")).respond_with(json(SYMBOLS)).mount(server).await;
}

/// The requests the server received at `p` with method `m`.
pub(super) async fn hits(server: &MockServer, m: &str, p: &str) -> usize {
    let all = server.received_requests().await.unwrap_or_default();
    all.iter().filter(|r| r.method.as_str() == m && r.url.path() == p).count()
}
