//! Tests of the resilience decorator against the scripted [`FakeExchange`], on a paused
//! `tokio::time` clock: no real sleeping, no wall-clock assertions.

mod breaker;
mod metrics;
mod retries;

use std::sync::Arc;
use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeId};
use prometheus::Registry;

use super::fake::FakeExchange;
use super::{ExchangeMetrics, ResilienceConfig, ResilientExchange};

/// Short, exact settings: 1 s read time-out, 2 s order time-out, 100 ms backoff doubling without
/// jitter, a breaker that practically never opens (the breaker tests lower it), 30 s cool-down.
fn config() -> ResilienceConfig {
    ResilienceConfig {
        read_timeout: Duration::from_secs(1),
        place_order_timeout: Duration::from_secs(2),
        cancel_order_timeout: Duration::from_secs(2),
        max_attempts: 3,
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_secs(1),
        jitter: false,
        max_rate_limit_wait: Duration::from_secs(2),
        breaker_failures: 1_000,
        breaker_cooldown: Duration::from_secs(30),
    }
}

/// A fake Binance behind a decorator with `config`, and the registry its metrics live in.
struct Harness {
    fake: Arc<FakeExchange>,
    gateway: Arc<ResilientExchange>,
    registry: Registry,
}

fn harness(config: ResilienceConfig) -> Harness {
    let registry = Registry::new();
    let metrics = ExchangeMetrics::new(&registry).expect("fresh registry");
    let fake = Arc::new(FakeExchange::new(ExchangeId::Binance));
    let gateway = Arc::new(ResilientExchange::new(fake.clone(), config, metrics));
    Harness { fake, gateway, registry }
}

fn unavailable() -> ExchangeError {
    ExchangeError::unavailable(anyhow::anyhow!("connection reset"))
}

/// The error's whole message chain, for asserting on what the decorator says.
fn chain(err: &ExchangeError) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// The value of the sample `name{labels..}` in the registry's text exposition, or 0 when absent.
fn sample(registry: &Registry, name: &str, labels: &[(&str, &str)]) -> f64 {
    let text = prometheus::TextEncoder::new().encode_to_string(&registry.gather()).expect("encodable");
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .find(|line| labels.iter().all(|(k, v)| line.contains(&format!("{k}=\"{v}\""))))
        .and_then(|line| line.rsplit(' ').next())
        .map(|value| value.parse().expect("a number"))
        .unwrap_or(0.0)
}
