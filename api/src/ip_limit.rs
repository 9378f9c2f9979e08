//! [`IpLimiter`]: per-client-IP request limits of the public auth endpoints, on `governor`'s
//! keyed GCRA limiter, with memory bounded under an address spray.
//!
//! `governor` keeps one state per key until `retain_recent` drops the keys whose bucket has
//! refilled. Sweeping on every call once a threshold is passed (what botfleet once did) costs a
//! whole-map walk per request under a spray; here a sweep runs only when the map has doubled since
//! the last one, so its cost is amortised to O(1) per new key, and the map holds at most twice
//! the keys that were active within one refill period. Past [`IpLimiter::MAX_KEYS`] live keys, new
//! addresses share one overflow bucket: a spray of fresh addresses is throttled as one client
//! instead of growing memory without bound.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};

use application::rate_limit::RetryAfter;
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota};

/// The key shared by requests whose IP is unknown.
const UNKNOWN: &str = "unknown";
/// The key shared by new addresses once [`IpLimiter::MAX_KEYS`] live keys are held.
const OVERFLOW: &str = "overflow";

/// `capacity` requests a minute per client IP, refilling continuously.
#[derive(Debug)]
pub struct IpLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
    /// The map size at which the next sweep runs.
    sweep_at: AtomicUsize,
}

impl IpLimiter {
    /// Live keys beyond which new addresses share the overflow bucket (about 100 bytes each).
    pub const MAX_KEYS: usize = 200_000;
    /// The smallest map size that triggers a sweep.
    const MIN_SWEEP_AT: usize = 1_024;

    /// `per_minute` requests a minute for each IP (at least 1), as a burst refilled evenly.
    pub fn per_minute(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self { limiter: DefaultKeyedRateLimiter::keyed(quota), sweep_at: AtomicUsize::new(Self::MIN_SWEEP_AT) }
    }

    /// Takes one request of `ip`'s budget (`None`: the shared unknown bucket), or says how long
    /// to wait.
    pub fn acquire(&self, ip: Option<&str>) -> Result<(), RetryAfter> {
        self.sweep_if_grown();
        let mut key = ip.unwrap_or(UNKNOWN);
        if self.limiter.len() >= Self::MAX_KEYS {
            key = OVERFLOW;
        }
        self.limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            RetryAfter((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1))
        })
    }

    /// Keys held, for tests and metrics.
    pub fn keys(&self) -> usize {
        self.limiter.len()
    }

    /// Drops refilled keys when the map has doubled since the last sweep.
    fn sweep_if_grown(&self) {
        let len = self.limiter.len();
        let at = self.sweep_at.load(Ordering::Relaxed);
        if len < at {
            return;
        }
        // One caller sweeps; the others see the raised threshold and go on.
        let raised = at.saturating_mul(2);
        if self.sweep_at.compare_exchange(at, raised, Ordering::AcqRel, Ordering::Relaxed).is_err() {
            return;
        }
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        let next = self.limiter.len().saturating_mul(2).max(Self::MIN_SWEEP_AT);
        self.sweep_at.store(next, Ordering::Release);
    }
}

impl Default for IpLimiter {
    fn default() -> Self {
        Self::per_minute(60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_budget_then_refuses_with_a_wait() {
        let limiter = IpLimiter::per_minute(3);
        for _ in 0..3 {
            assert_eq!(limiter.acquire(Some("10.0.0.1")), Ok(()));
        }
        let RetryAfter(wait) = limiter.acquire(Some("10.0.0.1")).unwrap_err();
        assert!((1..=20).contains(&wait), "one request refills every 20 s, waited {wait}");
        assert_eq!(limiter.acquire(Some("10.0.0.2")), Ok(()), "addresses are independent");
        assert_eq!(limiter.acquire(None), Ok(()), "unknown addresses share their own bucket");
    }

    #[test]
    fn a_spray_of_addresses_keeps_memory_bounded() {
        let limiter = IpLimiter::per_minute(5);
        // Each address is used once and stays live for a refill period, so none can be swept:
        // the map must stop at MAX_KEYS and further addresses share the overflow bucket.
        let mut refused = 0;
        for n in 0..(IpLimiter::MAX_KEYS + 50) {
            if limiter.acquire(Some(&format!("a{n}"))).is_err() {
                refused += 1;
            }
        }
        assert!(limiter.keys() <= IpLimiter::MAX_KEYS + 1, "{} keys", limiter.keys());
        assert_eq!(refused, 45, "50 overflowing addresses share one budget of 5");
    }
}
