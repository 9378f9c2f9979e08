//! Binance's request-weight budget, shared by every adapter instance (and so every user) that calls
//! from one outgoing IP: Binance counts weight per IP, so one limiter per (exchange, IP).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use domain::exchange::{ExchangeError, ExchangeId};
use time::OffsetDateTime;

/// Binance's published request-weight limit per IP and minute.
pub const BINANCE_WEIGHT_LIMIT_PER_MINUTE: u32 = 6000;

/// How a [`WeightLimiter`] spends its budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimiterConfig {
    /// Weight we allow ourselves per window, kept below the exchange's limit as a safety margin.
    pub budget: u32,
    /// The exchange's window (Binance: one calendar minute).
    pub window: Duration,
    /// Longest a call waits for the next window before it is refused with `RateLimited`.
    pub max_wait: Duration,
}

impl Default for LimiterConfig {
    fn default() -> Self {
        Self { budget: 5000, window: Duration::from_secs(60), max_wait: Duration::from_secs(10) }
    }
}

#[derive(Debug, Default)]
struct State {
    window_id: u64,
    used: u32,
    paused_until: Option<Instant>,
    banned_until: Option<OffsetDateTime>,
}

/// A request-weight budget over fixed windows aligned on the wall clock, like Binance's. Calls
/// reserve their weight before they are sent; every response's `X-MBX-USED-WEIGHT-1M` corrects
/// the count (other processes on the same IP spend it too). A 429 pauses every call until its
/// `Retry-After`; a 418 ban stops every call until it ends.
#[derive(Debug)]
pub struct WeightLimiter {
    config: LimiterConfig,
    state: Mutex<State>,
}

type Registry = Mutex<HashMap<(ExchangeId, String), Arc<WeightLimiter>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn window_id(window: Duration) -> (u64, Duration) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let len = window.as_millis().max(1);
    let id = now.as_millis() / len;
    let left = Duration::from_millis(u64::try_from(len - now.as_millis() % len).unwrap_or(0));
    (u64::try_from(id).unwrap_or(u64::MAX), left)
}

impl WeightLimiter {
    /// A limiter of its own (tests, or a process with a single adapter instance).
    pub fn new(config: LimiterConfig) -> Self {
        Self { config, state: Mutex::new(State::default()) }
    }

    /// The process-wide limiter of `(exchange, scope)`, where `scope` names the outgoing IP (and
    /// network: the testnet has a budget of its own). The first caller's `config` wins.
    pub fn shared(exchange: ExchangeId, scope: &str, config: LimiterConfig) -> Arc<Self> {
        let mut map = registry().lock().unwrap_or_else(|e| e.into_inner());
        map.entry((exchange, scope.to_owned())).or_insert_with(|| Arc::new(Self::new(config))).clone()
    }

    /// The budget this limiter enforces.
    pub fn config(&self) -> LimiterConfig {
        self.config
    }

    /// Weight counted in the current window.
    pub fn used(&self) -> u32 {
        let mut state = self.lock();
        self.roll(&mut state);
        state.used
    }

    /// Reserves `weight` before a request is sent: waits for the next window when the budget is
    /// spent and the wait is short, and refuses while paused (429), banned (418) or when the wait
    /// would exceed `max_wait`. A refused call must not be sent.
    pub async fn acquire(&self, weight: u32) -> Result<(), ExchangeError> {
        if weight > self.config.budget {
            return Err(ExchangeError::Rejected {
                code: "weight".to_owned(),
                message: format!("request weight {weight} exceeds the budget {}", self.config.budget),
            });
        }
        loop {
            let wait = {
                let mut state = self.lock();
                if let Some(until) = state.banned_until {
                    if until > OffsetDateTime::now_utc() {
                        return Err(ExchangeError::Banned { until });
                    }
                    state.banned_until = None;
                }
                if let Some(until) = state.paused_until {
                    let now = Instant::now();
                    if until > now {
                        return Err(ExchangeError::RateLimited { retry_after_secs: ceil_secs(until - now) });
                    }
                    state.paused_until = None;
                }
                let left = self.roll(&mut state);
                if state.used + weight <= self.config.budget {
                    state.used += weight;
                    return Ok(());
                }
                if left > self.config.max_wait {
                    return Err(ExchangeError::RateLimited { retry_after_secs: ceil_secs(left) });
                }
                left
            };
            tracing::debug!(wait_ms = wait.as_millis() as u64, weight, "binance weight budget spent; waiting");
            tokio::time::sleep(wait + Duration::from_millis(5)).await;
        }
    }

    /// Records the exchange's own count of the window's weight (`X-MBX-USED-WEIGHT-1M`).
    pub fn record_used(&self, used: u32) {
        let mut state = self.lock();
        self.roll(&mut state);
        state.used = state.used.max(used);
    }

    /// A 429: every call is refused for `retry_after`.
    pub fn pause(&self, retry_after: Duration) {
        let until = Instant::now() + retry_after;
        let mut state = self.lock();
        state.paused_until = Some(state.paused_until.map_or(until, |u| u.max(until)));
    }

    /// A 418: no call at all until `until`.
    pub fn ban(&self, until: OffsetDateTime) {
        let mut state = self.lock();
        state.banned_until = Some(state.banned_until.map_or(until, |u| u.max(until)));
    }

    /// Starts a new count when the window has moved on; returns the time left in the window.
    fn roll(&self, state: &mut State) -> Duration {
        let (id, left) = window_id(self.config.window);
        if id != state.window_id {
            state.window_id = id;
            state.used = 0;
        }
        left
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(budget: u32, window_ms: u64, max_wait_ms: u64) -> WeightLimiter {
        WeightLimiter::new(LimiterConfig {
            budget,
            window: Duration::from_millis(window_ms),
            max_wait: Duration::from_millis(max_wait_ms),
        })
    }

    #[tokio::test]
    async fn refuses_when_the_next_window_is_too_far() {
        let l = limiter(10, 3_600_000, 0);
        l.acquire(8).await.unwrap();
        assert!(matches!(l.acquire(4).await, Err(ExchangeError::RateLimited { .. })));
        l.acquire(2).await.unwrap();
        assert_eq!(l.used(), 10);
    }

    #[tokio::test]
    async fn waits_for_the_next_short_window() {
        let l = limiter(10, 200, 1_000);
        l.acquire(10).await.unwrap();
        l.acquire(5).await.unwrap();
        assert_eq!(l.used(), 5);
    }

    #[tokio::test]
    async fn header_count_only_raises_the_local_count() {
        let l = limiter(100, 3_600_000, 0);
        l.acquire(10).await.unwrap();
        l.record_used(4);
        assert_eq!(l.used(), 10);
        l.record_used(95);
        assert!(matches!(l.acquire(6).await, Err(ExchangeError::RateLimited { .. })));
    }

    #[tokio::test]
    async fn pause_and_ban_refuse_every_call() {
        let l = limiter(100, 60_000, 0);
        l.pause(Duration::from_secs(30));
        assert!(matches!(l.acquire(1).await, Err(ExchangeError::RateLimited { retry_after_secs: 30 })));
        let l = limiter(100, 60_000, 0);
        l.ban(OffsetDateTime::now_utc() + time::Duration::minutes(2));
        assert!(matches!(l.acquire(1).await, Err(ExchangeError::Banned { .. })));
    }
}
