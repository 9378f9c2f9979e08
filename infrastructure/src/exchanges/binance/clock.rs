//! The offset between our clock and Binance's, applied to signed requests' `timestamp`.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch on the local clock.
pub(crate) fn local_ms() -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// Binance's time minus ours, learnt lazily from `GET /api/v3/time`, relearnt when older than the
/// configured age and at once on `-1021`.
#[derive(Debug, Default)]
pub(crate) struct ServerClock {
    reading: Mutex<Option<(i64, Instant)>>,
}

impl ServerClock {
    /// The known offset, if any.
    pub(crate) fn offset(&self) -> Option<i64> {
        self.lock().map(|(offset, _)| offset)
    }

    /// Whether the offset is unknown or was learnt more than `max_age` ago.
    pub(crate) fn is_stale(&self, max_age: Duration) -> bool {
        self.lock().is_none_or(|(_, at)| at.elapsed() > max_age)
    }

    fn lock(&self) -> Option<(i64, Instant)> {
        *self.reading.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a reading of the server's time taken between `sent_ms` and `received_ms` (local);
    /// the server is assumed to have read its clock half-way through the round trip.
    pub(crate) fn record(&self, server_ms: i64, sent_ms: i64, received_ms: i64) -> i64 {
        let offset = server_ms - (sent_ms + received_ms) / 2;
        *self.reading.lock().unwrap_or_else(|e| e.into_inner()) = Some((offset, Instant::now()));
        offset
    }

    /// The `timestamp` to send now.
    pub(crate) fn timestamp_ms(&self) -> i64 {
        local_ms() + self.offset().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_uses_the_round_trip_midpoint() {
        let clock = ServerClock::default();
        assert_eq!(clock.offset(), None);
        assert!(clock.is_stale(Duration::from_secs(3600)));
        assert_eq!(clock.record(10_100, 1_000, 1_200), 9_000);
        assert!(!clock.is_stale(Duration::from_secs(3600)));
        let ts = clock.timestamp_ms();
        assert!((ts - (local_ms() + 9_000)).abs() < 1_000);
    }
}
