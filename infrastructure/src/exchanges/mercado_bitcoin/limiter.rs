//! Rate limiting for Mercado Bitcoin: the global 500 requests/min budget shared by the whole
//! process (one outgoing IP), per-endpoint limits (public ones per process, private ones per
//! credential), and a block after the exchange answered "too many requests".

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// A rate-limited endpoint family, with its documented limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Endpoint {
    /// `/authorize`, `/oauth2/token`, `/accounts`, `/symbols`: only the global budget.
    Unmetered,
    /// `/tickers`: 1 request/s.
    Tickers,
    /// `/{symbol}/orderbook`: 1 request/s.
    OrderBook,
    /// `/candles`: 1 request/s.
    Candles,
    /// Place an order: 3 requests/s.
    PlaceOrder,
    /// Cancel an order: 3 requests/s.
    CancelOrder,
    /// Get one order: 1 request/s.
    GetOrder,
    /// List a market's orders: 10 requests/s.
    ListOrders,
    /// List all orders: 3 requests/s.
    ListAllOrders,
    /// Balances: 3 requests/s.
    Balances,
}

impl Endpoint {
    fn per_second(self) -> Option<f64> {
        match self {
            Endpoint::Unmetered => None,
            Endpoint::Tickers | Endpoint::OrderBook | Endpoint::Candles | Endpoint::GetOrder => Some(1.0),
            Endpoint::PlaceOrder | Endpoint::CancelOrder | Endpoint::ListAllOrders | Endpoint::Balances => Some(3.0),
            Endpoint::ListOrders => Some(10.0),
        }
    }
}

const GLOBAL_PER_MINUTE: f64 = 500.0;
const PRUNE_ABOVE: usize = 10_000;

/// A token bucket that hands out reservations: a caller may take a token it must wait for.
#[derive(Debug, Clone)]
struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(capacity: f64, per_second: f64, now: Instant) -> Self {
        Self { capacity, per_second, tokens: capacity, at: now }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.at = now.max(self.at);
    }

    /// How long a new request would wait for its token.
    fn wait(&self) -> Duration {
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.per_second)
        }
    }
}

#[derive(Debug, Default)]
struct State {
    buckets: HashMap<(Endpoint, Option<String>), Bucket>,
    blocked_until: Option<Instant>,
}

/// The limiter. [`RateLimiter::shared`] is the one every adapter instance of the process uses.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    enabled: bool,
}

/// The limiter refused to wait that long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MustWait(pub Duration);

impl RateLimiter {
    /// A fresh limiter with Mercado Bitcoin's documented limits.
    pub fn new() -> Self {
        Self { state: Mutex::new(State::default()), enabled: true }
    }

    /// A limiter that never waits (for tests of other behaviour); still honours 429 blocks.
    pub fn unlimited() -> Self {
        Self { state: Mutex::new(State::default()), enabled: false }
    }

    /// The process-wide limiter: every adapter instance shares the outgoing IP's budget.
    pub fn shared() -> Arc<Self> {
        static SHARED: OnceLock<Arc<RateLimiter>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(RateLimiter::new())).clone()
    }

    /// Reserves a slot for `endpoint` (keyed by `credential` for private endpoints) at `now`:
    /// returns how long to sleep before sending, or `MustWait` when that exceeds `max_wait` or
    /// the exchange blocked us (nothing is reserved then).
    pub(crate) fn reserve(
        &self,
        endpoint: Endpoint,
        credential: Option<&str>,
        now: Instant,
        max_wait: Duration,
    ) -> Result<Duration, MustWait> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = state.blocked_until {
            if until > now {
                return Err(MustWait(until - now));
            }
            state.blocked_until = None;
        }
        if !self.enabled {
            return Ok(Duration::ZERO);
        }
        if state.buckets.len() > PRUNE_ABOVE {
            state.buckets.retain(|_, b| {
                b.refill(now);
                b.tokens < b.capacity
            });
        }
        let mut keys = vec![(Endpoint::Unmetered, None)];
        if let Some(rate) = endpoint.per_second() {
            keys.push((endpoint, credential.map(str::to_owned)));
            state.buckets.entry(keys[1].clone()).or_insert_with(|| Bucket::new(rate, rate, now));
        }
        state.buckets.entry(keys[0].clone()).or_insert_with(|| Bucket::new(50.0, GLOBAL_PER_MINUTE / 60.0, now));
        let mut wait = Duration::ZERO;
        for key in &keys {
            let bucket = state.buckets.get_mut(key).expect("inserted above");
            bucket.refill(now);
            wait = wait.max(bucket.wait());
        }
        if wait > max_wait {
            return Err(MustWait(wait));
        }
        for key in &keys {
            state.buckets.get_mut(key).expect("inserted above").tokens -= 1.0;
        }
        Ok(wait)
    }

    /// Blocks every call until `now + for_how_long` (after a 429 or a rate-limit error code).
    pub(crate) fn block(&self, now: Instant, for_how_long: Duration) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let until = now + for_how_long;
        state.blocked_until = Some(state.blocked_until.map_or(until, |u| u.max(until)));
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
#[path = "tests/limiter_tests.rs"]
mod tests;
