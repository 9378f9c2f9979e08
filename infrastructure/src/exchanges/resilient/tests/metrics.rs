//! The Prometheus collectors: counters by outcome, latency, retries and the breaker gauge, read
//! back from the registry; one set shared by two decorated exchanges.

use std::sync::Arc;
use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeGateway, ExchangeId};
use prometheus::Registry;

use super::{config, harness, sample, unavailable};
use crate::exchanges::resilient::fake::{btc_usdt, creds, order_request, FakeExchange, Step};
use crate::exchanges::resilient::{
    ExchangeMetrics, ResilienceConfig, ResilientExchange, CALLS_TOTAL, CIRCUIT_STATE, DURATION_SECONDS, RETRIES_TOTAL,
};

fn calls(registry: &Registry, exchange: &str, endpoint: &str, outcome: &str) -> f64 {
    sample(registry, CALLS_TOTAL, &[("exchange", exchange), ("endpoint", endpoint), ("outcome", outcome)])
}

#[tokio::test(start_paused = true)]
async fn calls_are_counted_by_outcome_with_latency_and_retries() {
    let h = harness(ResilienceConfig { breaker_failures: 4, ..config() });
    h.fake.script([Step::Answer(Duration::from_millis(300))]);
    h.gateway.ticker(&btc_usdt()).await.unwrap();
    h.fake.script([Step::Fail(unavailable()), Step::Fail(ExchangeError::InsufficientBalance)]);
    let _ = h.gateway.ticker(&btc_usdt()).await;
    h.fake.script([Step::Hang]);
    let _ = h.gateway.place_order(&creds(), &order_request()).await;

    let r = &h.registry;
    assert_eq!(calls(r, "binance", "ticker", "ok"), 1.0);
    assert_eq!(calls(r, "binance", "ticker", "unavailable"), 1.0);
    assert_eq!(calls(r, "binance", "ticker", "insufficient_balance"), 1.0);
    assert_eq!(calls(r, "binance", "place_order", "timeout"), 1.0);
    assert_eq!(sample(r, RETRIES_TOTAL, &[("exchange", "binance"), ("endpoint", "ticker")]), 1.0);
    let latency = |suffix: &str| {
        sample(r, &format!("{DURATION_SECONDS}_{suffix}"), &[("exchange", "binance"), ("endpoint", "ticker")])
    };
    assert_eq!(latency("count"), 3.0);
    assert!(latency("sum") >= 0.3, "the 300 ms answer is in the sum: {}", latency("sum"));
    assert_eq!(sample(r, CIRCUIT_STATE, &[("exchange", "binance")]), 0.0);
}

#[tokio::test(start_paused = true)]
async fn the_gauge_follows_the_breaker_and_fast_failures_are_counted() {
    let h = harness(ResilienceConfig { breaker_failures: 2, max_attempts: 1, ..config() });
    h.fake.script([Step::Fail(unavailable()), Step::Fail(unavailable())]);
    let _ = h.gateway.markets().await;
    let _ = h.gateway.markets().await;
    let _ = h.gateway.markets().await;
    assert_eq!(sample(&h.registry, CIRCUIT_STATE, &[("exchange", "binance")]), 1.0);
    assert_eq!(calls(&h.registry, "binance", "markets", "circuit_open"), 1.0);
    assert_eq!(calls(&h.registry, "binance", "markets", "unavailable"), 2.0);

    tokio::time::advance(Duration::from_secs(30)).await;
    h.gateway.markets().await.unwrap();
    assert_eq!(sample(&h.registry, CIRCUIT_STATE, &[("exchange", "binance")]), 0.0);
}

#[tokio::test(start_paused = true)]
async fn one_metrics_set_serves_two_exchanges() {
    let registry = Registry::new();
    let metrics = ExchangeMetrics::new(&registry).unwrap();
    let binance = Arc::new(FakeExchange::new(ExchangeId::Binance));
    let mb = Arc::new(FakeExchange::new(ExchangeId::MercadoBitcoin));
    let config = ResilienceConfig { breaker_failures: 1, max_attempts: 1, ..config() };
    let a = ResilientExchange::wrap(binance, config.clone(), metrics.clone());
    let b = ResilientExchange::wrap(mb.clone(), config, metrics);

    a.ticker(&btc_usdt()).await.unwrap();
    mb.script([Step::Fail(unavailable())]);
    let _ = b.ticker(&btc_usdt()).await;

    assert_eq!(calls(&registry, "binance", "ticker", "ok"), 1.0);
    assert_eq!(calls(&registry, "mercado_bitcoin", "ticker", "unavailable"), 1.0);
    assert_eq!(calls(&registry, "mercado_bitcoin", "ticker", "ok"), 0.0);
    assert_eq!(sample(&registry, CIRCUIT_STATE, &[("exchange", "binance")]), 0.0);
    assert_eq!(sample(&registry, CIRCUIT_STATE, &[("exchange", "mercado_bitcoin")]), 1.0);
    assert!(ExchangeMetrics::new(&registry).is_err(), "the collectors are registered once, then shared");
}
