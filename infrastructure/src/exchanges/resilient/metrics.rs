//! [`ExchangeMetrics`]: the Prometheus collectors of every decorated exchange, created and
//! registered once and shared, labelled by exchange and endpoint.

use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeId};
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry};

use super::breaker::CircuitState;

/// Calls by `exchange`, `endpoint` and `outcome`.
pub const CALLS_TOTAL: &str = "botfleet_exchange_calls_total";
/// Latency of each attempt that reached the adapter, by `exchange` and `endpoint`.
pub const DURATION_SECONDS: &str = "botfleet_exchange_request_duration_seconds";
/// Retries (attempts after the first) by `exchange` and `endpoint`.
pub const RETRIES_TOTAL: &str = "botfleet_exchange_retries_total";
/// Breaker state by `exchange`: 0 closed, 1 open, 2 half-open.
pub const CIRCUIT_STATE: &str = "botfleet_exchange_circuit_state";

/// The exchange collectors. Create one with [`ExchangeMetrics::new`] per registry and clone it
/// into every [`super::ResilientExchange`] (clones share the collectors).
#[derive(Clone, Debug)]
pub struct ExchangeMetrics {
    calls: IntCounterVec,
    duration: HistogramVec,
    retries: IntCounterVec,
    circuit: IntGaugeVec,
}

impl ExchangeMetrics {
    /// Creates the collectors and registers them into `registry` (the api's
    /// `Metrics::registry()`). Fails if they are already registered there: call it once and share
    /// the result.
    pub fn new(registry: &Registry) -> prometheus::Result<Self> {
        let calls = IntCounterVec::new(
            Opts::new(
                CALLS_TOTAL,
                "Exchange calls by exchange, endpoint and outcome (ok, an error kind, timeout or circuit_open); \
                 each attempt counts once.",
            ),
            &["exchange", "endpoint", "outcome"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(DURATION_SECONDS, "Latency in seconds of exchange calls that reached the adapter.")
                .buckets(vec![0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
            &["exchange", "endpoint"],
        )?;
        let retries = IntCounterVec::new(
            Opts::new(RETRIES_TOTAL, "Retried exchange calls (attempts after the first)."),
            &["exchange", "endpoint"],
        )?;
        let circuit = IntGaugeVec::new(
            Opts::new(CIRCUIT_STATE, "Exchange circuit breaker state: 0 closed, 1 open, 2 half-open."),
            &["exchange"],
        )?;
        registry.register(Box::new(calls.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(retries.clone()))?;
        registry.register(Box::new(circuit.clone()))?;
        Ok(Self { calls, duration, retries, circuit })
    }

    /// Counts one attempt (or a fast failure) and, when it reached the adapter, its latency.
    pub(crate) fn record_call(&self, exchange: ExchangeId, endpoint: &str, outcome: &str, took: Option<Duration>) {
        self.calls.with_label_values(&[exchange.as_str(), endpoint, outcome]).inc();
        if let Some(took) = took {
            self.duration.with_label_values(&[exchange.as_str(), endpoint]).observe(took.as_secs_f64());
        }
    }

    /// Counts one retry.
    pub(crate) fn record_retry(&self, exchange: ExchangeId, endpoint: &str) {
        self.retries.with_label_values(&[exchange.as_str(), endpoint]).inc();
    }

    /// Sets the breaker gauge.
    pub(crate) fn set_circuit(&self, exchange: ExchangeId, state: CircuitState) {
        self.circuit.with_label_values(&[exchange.as_str()]).set(state.gauge_value());
    }
}

/// The `outcome` label of an error.
pub(crate) fn error_kind(err: &ExchangeError) -> &'static str {
    match err {
        ExchangeError::UnknownSymbol(_) => "unknown_symbol",
        ExchangeError::UnsupportedTimeframe(_) => "unsupported_timeframe",
        ExchangeError::Filter(_) => "filter",
        ExchangeError::InsufficientBalance => "insufficient_balance",
        ExchangeError::OrderNotFound => "order_not_found",
        ExchangeError::Unauthorized(_) => "unauthorized",
        ExchangeError::RateLimited { .. } => "rate_limited",
        ExchangeError::Banned { .. } => "banned",
        ExchangeError::Rejected { .. } => "rejected",
        ExchangeError::OutcomeUnknown(_) => "outcome_unknown",
        ExchangeError::Unavailable(_) => "unavailable",
    }
}
