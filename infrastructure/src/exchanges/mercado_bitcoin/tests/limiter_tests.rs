//! The limiter's arithmetic, with explicit instants (no sleeping, no timing).

use super::*;

const MAX: Duration = Duration::from_secs(10);

#[test]
fn per_endpoint_limit_spaces_requests() {
    let limiter = RateLimiter::new();
    let t0 = Instant::now();
    assert_eq!(limiter.reserve(Endpoint::Tickers, None, t0, MAX), Ok(Duration::ZERO));
    let second = limiter.reserve(Endpoint::Tickers, None, t0, MAX).unwrap();
    assert!(second > Duration::from_millis(900) && second <= Duration::from_secs(1), "{second:?}");
    let third = limiter.reserve(Endpoint::Tickers, None, t0, MAX).unwrap();
    assert!(third > Duration::from_millis(1900), "queued behind the second: {third:?}");
    // Another endpoint is not held back by the ticker's limit.
    assert_eq!(limiter.reserve(Endpoint::OrderBook, None, t0, MAX), Ok(Duration::ZERO));
    // A second later one more ticker slot has refilled.
    let later = t0 + Duration::from_secs(3);
    assert_eq!(limiter.reserve(Endpoint::Tickers, None, later, MAX), Ok(Duration::ZERO));
}

#[test]
fn private_limits_are_per_credential() {
    let limiter = RateLimiter::new();
    let t0 = Instant::now();
    for _ in 0..3 {
        assert_eq!(limiter.reserve(Endpoint::PlaceOrder, Some("a"), t0, MAX), Ok(Duration::ZERO));
    }
    assert!(limiter.reserve(Endpoint::PlaceOrder, Some("a"), t0, MAX).unwrap() > Duration::ZERO);
    assert_eq!(limiter.reserve(Endpoint::PlaceOrder, Some("b"), t0, MAX), Ok(Duration::ZERO));
}

#[test]
fn global_budget_is_shared_by_every_endpoint() {
    let limiter = RateLimiter::new();
    let t0 = Instant::now();
    let mut waited = Duration::ZERO;
    for i in 0..60 {
        let key = format!("k{i}");
        waited = limiter.reserve(Endpoint::Balances, Some(&key), t0, MAX).unwrap();
    }
    // 50 burst, then 500/min: the 60th waits about 10 * 0.12 s.
    assert!(waited > Duration::from_millis(1000) && waited < Duration::from_millis(1400), "{waited:?}");
}

#[test]
fn too_long_a_wait_reserves_nothing() {
    let limiter = RateLimiter::new();
    let t0 = Instant::now();
    limiter.reserve(Endpoint::Candles, None, t0, MAX).unwrap();
    let short = Duration::from_millis(100);
    assert!(matches!(limiter.reserve(Endpoint::Candles, None, t0, short), Err(MustWait(w)) if w > short));
    // The refused call took no slot: one second later the next one goes at once.
    assert_eq!(limiter.reserve(Endpoint::Candles, None, t0 + Duration::from_secs(1), short), Ok(Duration::ZERO));
}

#[test]
fn a_block_stops_everything_until_it_ends() {
    let limiter = RateLimiter::unlimited();
    let t0 = Instant::now();
    assert_eq!(limiter.reserve(Endpoint::Tickers, None, t0, MAX), Ok(Duration::ZERO));
    limiter.block(t0, Duration::from_secs(30));
    assert_eq!(
        limiter.reserve(Endpoint::Balances, Some("a"), t0 + Duration::from_secs(10), MAX),
        Err(MustWait(Duration::from_secs(20)))
    );
    assert_eq!(limiter.reserve(Endpoint::Balances, Some("a"), t0 + Duration::from_secs(30), MAX), Ok(Duration::ZERO));
}
