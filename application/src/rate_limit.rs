//! A keyed token-bucket failure counter, in memory and driven by the caller's clock: the
//! per-e-mail login-failure limit. It needs what request limiters (`governor`, used for per-IP
//! limits in `api`) do not offer: a look without taking (`check`), an event counted even past
//! the limit (`record`) and forgetting a key (`reset`) after a successful login. Memory stays
//! bounded: full buckets are swept when the map has doubled since the last sweep (amortised O(1)
//! per key). It is per process: with several instances behind a balancer each enforces its own
//! budget (documented in `docs/security.md`).

use std::collections::HashMap;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// Allows `capacity` events per `period` for each key, refilling continuously.
#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets {
    map: HashMap<String, Bucket>,
    /// The map size at which the next sweep runs.
    sweep_at: usize,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: OffsetDateTime,
}

/// The limit is reached; retry after this many whole seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl RateLimiter {
    /// The smallest map size that triggers a sweep of the full (idle) buckets.
    const MIN_SWEEP_AT: usize = 1_024;

    /// `capacity` events per `period` for each key.
    pub fn new(capacity: u32, period: Duration) -> Self {
        let capacity = f64::from(capacity.max(1));
        let secs = period.as_seconds_f64().max(0.001);
        let buckets = Buckets { map: HashMap::new(), sweep_at: Self::MIN_SWEEP_AT };
        Self { capacity, per_second: capacity / secs, buckets: Mutex::new(buckets) }
    }

    /// Takes one token for `key`, or says how long to wait.
    pub fn acquire(&self, key: &str, now: OffsetDateTime) -> Result<(), RetryAfter> {
        self.update(key, now, true)
    }

    /// Whether one token is available for `key`, without taking it.
    pub fn check(&self, key: &str, now: OffsetDateTime) -> Result<(), RetryAfter> {
        self.update(key, now, false)
    }

    /// Takes one token for `key` even when none is left (records an event such as a failure).
    pub fn record(&self, key: &str, now: OffsetDateTime) {
        let mut buckets = self.lock();
        let bucket = self.refilled(&mut buckets, key, now);
        bucket.tokens = (bucket.tokens - 1.0).max(-self.capacity);
    }

    /// Forgets `key` (e.g. after a successful login).
    pub fn reset(&self, key: &str) {
        self.lock().map.remove(key);
    }

    fn update(&self, key: &str, now: OffsetDateTime, take: bool) -> Result<(), RetryAfter> {
        let mut buckets = self.lock();
        if buckets.map.len() >= buckets.sweep_at {
            let capacity = self.capacity;
            let per_second = self.per_second;
            buckets.map.retain(|_, b| b.tokens + (now - b.at).as_seconds_f64() * per_second < capacity);
            buckets.sweep_at = (buckets.map.len() * 2).max(Self::MIN_SWEEP_AT);
        }
        let per_second = self.per_second;
        let bucket = self.refilled(&mut buckets, key, now);
        if bucket.tokens >= 1.0 {
            if take {
                bucket.tokens -= 1.0;
            }
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0);
            // The wait is bounded by capacity / rate, i.e. the configured period.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Err(RetryAfter(wait as u64))
        }
    }

    fn refilled<'a>(&self, buckets: &'a mut Buckets, key: &str, now: OffsetDateTime) -> &'a mut Bucket {
        let bucket = buckets.map.entry(key.to_owned()).or_insert(Bucket { tokens: self.capacity, at: now });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.at = now;
        bucket
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn allows_capacity_then_refuses_then_refills() {
        let limiter = RateLimiter::new(3, Duration::minutes(1));
        let t0 = datetime!(2026-01-01 00:00 UTC);
        for _ in 0..3 {
            assert!(limiter.acquire("ip", t0).is_ok());
        }
        assert_eq!(limiter.acquire("ip", t0), Err(RetryAfter(20)));
        assert!(limiter.acquire("other", t0).is_ok(), "keys are independent");
        assert!(limiter.acquire("ip", t0 + Duration::seconds(20)).is_ok());
        assert!(limiter.acquire("ip", t0 + Duration::seconds(20)).is_err());
    }

    #[test]
    fn record_and_check_count_failures() {
        let limiter = RateLimiter::new(5, Duration::minutes(15));
        let t0 = datetime!(2026-01-01 00:00 UTC);
        for _ in 0..5 {
            assert!(limiter.check("a@b.c", t0).is_ok());
            limiter.record("a@b.c", t0);
        }
        let RetryAfter(wait) = limiter.check("a@b.c", t0).unwrap_err();
        assert_eq!(wait, 180);
        limiter.reset("a@b.c");
        assert!(limiter.check("a@b.c", t0).is_ok());
    }

    #[test]
    fn sweeps_are_amortised_and_keep_live_buckets() {
        let limiter = RateLimiter::new(5, Duration::minutes(15));
        let t0 = datetime!(2026-01-01 00:00 UTC);
        limiter.record("victim", t0);
        for n in 0..5_000 {
            limiter.check(&format!("idle{n}"), t0).unwrap();
        }
        let buckets = limiter.lock();
        assert!(buckets.map.len() < 2_048, "full buckets were swept: {}", buckets.map.len());
        assert!(buckets.map.contains_key("victim"), "a bucket with a failure is kept");
        assert!(buckets.sweep_at >= RateLimiter::MIN_SWEEP_AT);
    }
}
