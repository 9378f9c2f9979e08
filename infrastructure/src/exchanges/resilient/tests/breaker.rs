//! The circuit breaker: opens after N consecutive failures, fails fast without touching the
//! adapter, lets one probe through after the cool-down, and ignores business errors.

use std::sync::Arc;
use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeGateway};

use super::{chain, config, harness, unavailable, Harness};
use crate::exchanges::resilient::fake::{btc_usdt, creds, order_request, Step};
use crate::exchanges::resilient::{CircuitState, ResilienceConfig};

/// Three failures open it; one attempt per call keeps the arithmetic plain.
fn breaker_config() -> ResilienceConfig {
    ResilienceConfig { breaker_failures: 3, max_attempts: 1, ..config() }
}

async fn open_it(h: &Harness) {
    h.fake.script((0..3).map(|_| Step::Fail(unavailable())));
    for _ in 0..3 {
        assert!(h.gateway.ticker(&btc_usdt()).await.is_err());
    }
    assert_eq!(h.gateway.circuit_state(), CircuitState::Open);
}

fn assert_fails_fast(result: Result<impl std::fmt::Debug, ExchangeError>) {
    let err = result.unwrap_err();
    assert!(matches!(err, ExchangeError::Unavailable(_)), "{err:?}");
    assert!(chain(&err).contains("circuit open for binance"), "{}", chain(&err));
}

#[tokio::test(start_paused = true)]
async fn opens_after_n_consecutive_failures_and_then_fails_fast_without_calling_the_adapter() {
    let h = harness(breaker_config());
    h.fake.script([Step::Fail(unavailable()), Step::Fail(unavailable())]);
    let _ = h.gateway.ticker(&btc_usdt()).await;
    let _ = h.gateway.ticker(&btc_usdt()).await;
    assert_eq!(h.gateway.circuit_state(), CircuitState::Closed, "two failures are below the threshold");
    h.fake.script([Step::Hang]);
    let _ = h.gateway.markets().await; // a time-out is a failure too
    assert_eq!(h.gateway.circuit_state(), CircuitState::Open);

    assert_fails_fast(h.gateway.ticker(&btc_usdt()).await);
    assert_fails_fast(h.gateway.balances(&creds()).await);
    assert_fails_fast(h.gateway.place_order(&creds(), &order_request()).await);
    assert_eq!(h.fake.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn opening_mid_call_stops_its_retries() {
    let h = harness(ResilienceConfig { breaker_failures: 2, ..config() });
    h.fake.script((0..3).map(|_| Step::Fail(unavailable())));
    assert_fails_fast(h.gateway.ticker(&btc_usdt()).await);
    assert_eq!(h.fake.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn business_errors_do_not_trip_it_and_reset_the_count() {
    let h = harness(breaker_config());
    let business = || {
        [
            ExchangeError::UnknownSymbol(btc_usdt()),
            ExchangeError::Filter(domain::market::FilterViolation::NonPositivePrice),
            ExchangeError::InsufficientBalance,
            ExchangeError::OrderNotFound,
            ExchangeError::Rejected { code: "x".into(), message: "no".into() },
            ExchangeError::Unauthorized("bad key".into()),
        ]
    };
    h.fake.script(business().into_iter().map(Step::Fail));
    for _ in 0..business().len() {
        assert!(h.gateway.place_order(&creds(), &order_request()).await.is_err());
    }
    assert_eq!(h.gateway.circuit_state(), CircuitState::Closed);

    // fail, fail, business error, fail, fail: never three in a row.
    h.fake.script([
        Step::Fail(unavailable()),
        Step::Fail(unavailable()),
        Step::Fail(ExchangeError::OrderNotFound),
        Step::Fail(unavailable()),
        Step::Fail(unavailable()),
    ]);
    for _ in 0..5 {
        assert!(h
            .gateway
            .order(&creds(), &btc_usdt(), &domain::exchange::OrderRef::Exchange("1".into()))
            .await
            .is_err());
    }
    assert_eq!(h.gateway.circuit_state(), CircuitState::Closed);
    assert!(h.gateway.ticker(&btc_usdt()).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn after_the_cool_down_a_successful_probe_closes_it() {
    let h = harness(breaker_config());
    open_it(&h).await;
    tokio::time::advance(Duration::from_secs(30) - Duration::from_millis(1)).await;
    assert_fails_fast(h.gateway.ticker(&btc_usdt()).await);
    assert_eq!(h.fake.calls(), 3);

    tokio::time::advance(Duration::from_millis(1)).await;
    assert!(h.gateway.ticker(&btc_usdt()).await.is_ok());
    assert_eq!(h.gateway.circuit_state(), CircuitState::Closed);
    assert!(h.gateway.markets().await.is_ok());
    assert_eq!(h.fake.calls(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_failed_probe_reopens_it_for_another_cool_down() {
    let h = harness(breaker_config());
    open_it(&h).await;
    tokio::time::advance(Duration::from_secs(30)).await;
    h.fake.script([Step::Fail(unavailable())]);
    assert!(h.gateway.ticker(&btc_usdt()).await.is_err());
    assert_eq!(h.gateway.circuit_state(), CircuitState::Open);
    assert_eq!(h.fake.calls(), 4);

    tokio::time::advance(Duration::from_secs(29)).await;
    assert_fails_fast(h.gateway.ticker(&btc_usdt()).await);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(h.gateway.ticker(&btc_usdt()).await.is_ok());
    assert_eq!(h.fake.calls(), 5);
}

#[tokio::test(start_paused = true)]
async fn only_one_probe_at_a_time_and_a_cancelled_probe_frees_the_slot() {
    let h = harness(breaker_config());
    open_it(&h).await;
    tokio::time::advance(Duration::from_secs(30)).await;

    h.fake.script([Step::Hang]);
    let gateway = Arc::clone(&h.gateway);
    let probe = tokio::spawn(async move { gateway.ticker(&btc_usdt()).await });
    while h.fake.calls() < 4 {
        tokio::task::yield_now().await;
    }
    assert_eq!(h.gateway.circuit_state(), CircuitState::HalfOpen);
    assert_fails_fast(h.gateway.markets().await);
    assert_eq!(h.fake.calls(), 4);

    probe.abort();
    assert!(probe.await.unwrap_err().is_cancelled());
    assert_eq!(h.gateway.circuit_state(), CircuitState::Open);
    assert!(h.gateway.markets().await.is_ok(), "the next call probes at once");
    assert_eq!(h.gateway.circuit_state(), CircuitState::Closed);
}
