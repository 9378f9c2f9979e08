//! The request circuit breaker of one exchange: closed, open after N consecutive failures, and
//! half-open (one probe call) after a cool-down. Time comes from `tokio::time`, so tests drive it
//! with a paused clock.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

/// Where the breaker stands. The gauge `botfleet_exchange_circuit_state` reports
/// [`CircuitState::gauge_value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CircuitState {
    /// Calls go through.
    Closed,
    /// Calls fail fast until the cool-down ends.
    Open,
    /// One probe call is in flight; the others fail fast.
    HalfOpen,
}

impl CircuitState {
    /// 0 closed, 1 open, 2 half-open.
    pub fn gauge_value(self) -> i64 {
        match self {
            CircuitState::Closed => 0,
            CircuitState::Open => 1,
            CircuitState::HalfOpen => 2,
        }
    }
}

#[derive(Debug)]
struct Inner {
    state: CircuitState,
    consecutive_failures: u32,
    opened_at: Instant,
}

/// A consecutive-failure breaker. Cheap to clone (shared state).
#[derive(Clone, Debug)]
pub(crate) struct CircuitBreaker {
    inner: Arc<Mutex<Inner>>,
    threshold: u32,
    cooldown: Duration,
}

/// Leave to make one call, obtained from [`CircuitBreaker::acquire`]. Report the call's health
/// with [`Permit::record`]; a permit dropped unreported (the caller was cancelled) frees a probe
/// slot without judging the exchange.
#[derive(Debug)]
pub(crate) struct Permit {
    breaker: CircuitBreaker,
    probe: bool,
    recorded: bool,
}

impl CircuitBreaker {
    /// Opens after `threshold` consecutive failures (at least 1) and probes after `cooldown`.
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        let inner = Inner { state: CircuitState::Closed, consecutive_failures: 0, opened_at: Instant::now() };
        Self { inner: Arc::new(Mutex::new(inner)), threshold: threshold.max(1), cooldown }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state stays consistent even if a holder panicked: every write is a single assignment.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The current state (an open breaker whose cool-down is over still reads `Open` until a
    /// call probes it).
    pub(crate) fn state(&self) -> CircuitState {
        self.lock().state
    }

    /// Leave to call, or `None` to fail fast. Also returns the state after the decision, for the
    /// gauge.
    pub(crate) fn acquire(&self) -> (Option<Permit>, CircuitState) {
        let mut inner = self.lock();
        let probe = match inner.state {
            CircuitState::Closed => false,
            CircuitState::HalfOpen => return (None, inner.state),
            CircuitState::Open if inner.opened_at.elapsed() < self.cooldown => return (None, inner.state),
            CircuitState::Open => {
                inner.state = CircuitState::HalfOpen;
                true
            }
        };
        (Some(Permit { breaker: self.clone(), probe, recorded: false }), inner.state)
    }
}

impl Permit {
    /// Reports whether the call failed (a transient error or a time-out) or the exchange answered
    /// (success or a business error). Returns the state afterwards.
    pub(crate) fn record(mut self, failed: bool) -> CircuitState {
        self.recorded = true;
        let threshold = self.breaker.threshold;
        let mut inner = self.breaker.lock();
        if !failed {
            inner.consecutive_failures = 0;
            inner.state = CircuitState::Closed;
        } else if self.probe || inner.state == CircuitState::Open {
            inner.state = CircuitState::Open;
            inner.opened_at = Instant::now();
        } else {
            inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
            if inner.consecutive_failures >= threshold {
                inner.state = CircuitState::Open;
                inner.opened_at = Instant::now();
            }
        }
        inner.state
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.probe && !self.recorded {
            // A cancelled probe says nothing: back to open with the cool-down already over, so
            // the next call probes again.
            let mut inner = self.breaker.lock();
            if inner.state == CircuitState::HalfOpen {
                inner.state = CircuitState::Open;
            }
        }
    }
}
