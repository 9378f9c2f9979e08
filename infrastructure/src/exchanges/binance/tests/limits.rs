//! Request weight: 429 pauses, 418 bans, the used-weight header, and one budget per outgoing IP
//! shared by every adapter of the process.

use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeGateway};
use domain::market::Timeframe;
use time::OffsetDateTime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::fixtures::{btc_brl, ticker_24hr, Binance};
use crate::exchanges::binance::{BinanceConfig, BinanceExchange, LimiterConfig};

#[tokio::test]
async fn a_429_returns_its_retry_after_and_pauses_every_call_until_then() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/ticker/24hr"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "37").set_body_json(
            serde_json::json!({"code": -1003, "msg": "Too many requests; current limit is 6000 request weight per 1 MINUTE."}),
        ))
        .expect(1)
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/depth"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&b.server)
        .await;

    let first = b.adapter.ticker(&btc_brl()).await;
    let second = b.adapter.order_book(&btc_brl(), 10).await;

    assert!(matches!(first, Err(ExchangeError::RateLimited { retry_after_secs: 37 })), "{first:?}");
    assert!(matches!(second, Err(ExchangeError::RateLimited { retry_after_secs: 1..=37 })), "{second:?}");
}

#[tokio::test]
async fn a_418_ban_blocks_every_later_call_without_reaching_the_server() {
    let b = Binance::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/klines"))
        .respond_with(ResponseTemplate::new(418).insert_header("Retry-After", "7200").set_body_json(
            serde_json::json!({"code": -1003, "msg": "Way too much request weight used; IP banned until 1700000000000."}),
        ))
        .expect(1)
        .mount(&b.server)
        .await;
    let before = OffsetDateTime::now_utc();

    let first = b.adapter.candles(&btc_brl(), Timeframe::H1, domain::market::CandleRange::latest(5)).await;
    let received = b.server.received_requests().await.unwrap().len();
    let later = [
        b.adapter.markets().await.map(|_| ()),
        b.adapter.ticker(&btc_brl()).await.map(|_| ()),
        b.adapter.balances(&super::fixtures::creds()).await.map(|_| ()),
    ];

    let Err(ExchangeError::Banned { until }) = first else { panic!("expected a ban, got {first:?}") };
    assert!(until >= before + time::Duration::seconds(7200), "{until}");
    for got in later {
        assert!(matches!(got, Err(ExchangeError::Banned { until: u }) if u == until), "{got:?}");
    }
    assert_eq!(b.server.received_requests().await.unwrap().len(), received, "a banned IP sent a request");
}

#[tokio::test]
async fn the_used_weight_header_stops_calls_that_would_cross_the_budget() {
    let strict = LimiterConfig { budget: 1000, window: Duration::from_secs(3600), max_wait: Duration::ZERO };
    let b = Binance::with_limiter(strict).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/ticker/24hr"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("X-MBX-USED-WEIGHT-1M", "990").set_body_json(ticker_24hr()),
        )
        .mount(&b.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/depth"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&b.server)
        .await;

    b.adapter.ticker(&btc_brl()).await.unwrap();
    let book = b.adapter.order_book(&btc_brl(), 500).await;

    assert_eq!(b.adapter.limiter().used(), 990);
    assert!(matches!(book, Err(ExchangeError::RateLimited { .. })), "{book:?}");
}

#[tokio::test]
async fn adapters_of_one_outgoing_ip_share_one_budget() {
    let b = Binance::start().await;
    let config = || BinanceConfig {
        outgoing_ip: format!("shared-{}", ulid::Ulid::new()),
        ..BinanceConfig::local(&b.server.uri())
    };
    let first_config = config();
    let first = BinanceExchange::new(first_config.clone()).unwrap();
    let second = BinanceExchange::new(first_config).unwrap();
    let elsewhere = BinanceExchange::new(config()).unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v3/ticker/24hr"))
        .respond_with(ResponseTemplate::new(418).insert_header("Retry-After", "120"))
        .expect(1)
        .mount(&b.server)
        .await;

    assert!(std::sync::Arc::ptr_eq(first.limiter(), second.limiter()));
    assert!(matches!(first.ticker(&btc_brl()).await, Err(ExchangeError::Banned { .. })));
    assert!(matches!(second.markets().await, Err(ExchangeError::Banned { .. })));
    assert!(elsewhere.markets().await.is_ok(), "another IP's budget is untouched");
}
