//! The live event stream's settings (`GET /api/events/stream`): `BOTFLEET_SSE_HEARTBEAT_SECS`
//! (the longest silence before a heartbeat, 1 to 300, default 15), `BOTFLEET_SSE_POLL_MS` (how
//! often an idle stream reads the event log, 50 to 60,000, default 500) and
//! `BOTFLEET_SSE_MAX_PER_USER` (open streams per user and instance, 1 to 100, default 5).

use std::time::Duration;

use application::notifications::StreamConfig;

use super::Env;

/// Reads the variables; a value out of range is refused naming its variable.
pub(super) fn load(env: &mut Env) -> StreamConfig {
    let defaults = StreamConfig::default();
    let mut ranged = |var: &'static str, default: u64, range: std::ops::RangeInclusive<u64>, what: &str| {
        let expected = format!("{what}, {} to {}", range.start(), range.end());
        let value = env.parse(var, default, &expected);
        if !range.contains(&value) {
            env.error(var, format!("expected {expected}"));
            return default;
        }
        value
    };
    let heartbeat = ranged("BOTFLEET_SSE_HEARTBEAT_SECS", defaults.heartbeat.as_secs(), 1..=300, "whole seconds");
    let poll = ranged("BOTFLEET_SSE_POLL_MS", 500, 50..=60_000, "whole milliseconds");
    let max_per_user = ranged("BOTFLEET_SSE_MAX_PER_USER", defaults.max_per_user as u64, 1..=100, "a count");
    StreamConfig {
        heartbeat: Duration::from_secs(heartbeat),
        poll_interval: Duration::from_millis(poll),
        max_per_user: max_per_user as usize,
        ..defaults
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(Settings::dev_with(&[]).unwrap().stream, StreamConfig::default());
        let set = Settings::dev_with(&[("BOTFLEET_SSE_HEARTBEAT_SECS", "2"), ("BOTFLEET_SSE_POLL_MS", "100")]).unwrap();
        assert_eq!(set.stream.heartbeat, Duration::from_secs(2));
        assert_eq!(set.stream.poll_interval, Duration::from_millis(100));
    }

    #[test]
    fn out_of_range_is_refused_naming_the_variable() {
        for (var, bad) in
            [("BOTFLEET_SSE_HEARTBEAT_SECS", "0"), ("BOTFLEET_SSE_POLL_MS", "10"), ("BOTFLEET_SSE_MAX_PER_USER", "x")]
        {
            let err = Settings::dev_with(&[(var, bad)]).unwrap_err();
            assert_eq!(err.vars(), [var], "{var}={bad}");
        }
    }
}
