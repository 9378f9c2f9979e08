//! A resilience decorator for any exchange adapter: per-call time-outs, retries with backoff for
//! idempotent calls, a per-exchange circuit breaker and Prometheus metrics. See
//! docs/exchanges/resilience.md.

mod breaker;
mod config;
mod gateway;
mod metrics;
mod policy;

#[cfg(test)]
pub(crate) mod fake;
#[cfg(test)]
mod tests;

pub use breaker::CircuitState;
pub use config::{ResilienceConfig, ResilienceConfigError};
pub use gateway::ResilientExchange;
pub use metrics::{ExchangeMetrics, CALLS_TOTAL, CIRCUIT_STATE, DURATION_SECONDS, RETRIES_TOTAL};
