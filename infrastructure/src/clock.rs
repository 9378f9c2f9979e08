//! The production clock, and a faster one for demos and scenario tests.

use domain::Clock;
use time::OffsetDateTime;

/// Reads the system clock (UTC).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that runs `speed` times faster than the system clock from the moment it is made (it
/// starts at the real time). For demos and scenario tests: the paper exchange then replays its
/// candles faster and the engine's schedules (DCA periods, SmartBot cycles) come sooner.
#[derive(Clone, Copy, Debug)]
pub struct ScaledClock {
    origin: OffsetDateTime,
    speed: f64,
}

impl ScaledClock {
    /// Starts now, running `speed` times faster (`speed` >= 1).
    pub fn new(speed: f64) -> Self {
        Self { origin: OffsetDateTime::now_utc(), speed: speed.max(1.0) }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> OffsetDateTime {
        let real = OffsetDateTime::now_utc() - self.origin;
        self.origin + real * self.speed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_runs_faster_and_never_backwards() {
        let clock = ScaledClock::new(3600.0);
        let a = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = clock.now();
        assert!(b - a >= time::Duration::seconds(60), "20 ms at 3600x is over a minute: {}", b - a);
        assert!(ScaledClock::new(0.5).now() <= OffsetDateTime::now_utc() + time::Duration::seconds(1));
    }
}
