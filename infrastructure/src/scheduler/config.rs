//! [`SchedulerConfig`]: which workflows run on this instance, how often, and under which lease
//! holder id. The API's settings fill it from `BOTFLEET_WORKFLOW_*` and `BOTFLEET_WORKERS`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::catalogue::CatalogueEntry;
use super::workflow::WorkflowSpec;

/// The shortest interval a scale factor can produce, so a tiny scale never spins.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// The longest interval (a year): longer ones are cut to it, so deadlines never overflow.
pub const MAX_INTERVAL: Duration = Duration::from_secs(365 * 24 * 3600);

/// How this instance schedules the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct SchedulerConfig {
    /// This instance's id: the holder of the leases it takes. Unique per running instance.
    pub instance_id: String,
    /// `false` for an API-only instance: no workflow runs, not even on request.
    pub workers: bool,
    /// Multiplies every interval (default 1.0; 0.02 runs the schedule 50 times faster). Must be
    /// finite and positive.
    pub interval_scale: f64,
    /// Intervals replacing a workflow's catalogue default (before the scale), by name.
    pub intervals: BTreeMap<String, Duration>,
    /// Workflows switched off, by name.
    pub disabled: BTreeSet<String>,
}

impl SchedulerConfig {
    /// Every workflow on, at its default interval, for `instance_id`.
    pub fn new(instance_id: impl Into<String>) -> Self {
        Self {
            instance_id: instance_id.into(),
            workers: true,
            interval_scale: 1.0,
            intervals: BTreeMap::new(),
            disabled: BTreeSet::new(),
        }
    }

    /// A fresh instance id: `instance-<ulid>`.
    pub fn generated_instance_id() -> String {
        format!("instance-{}", ulid::Ulid::new().to_string().to_lowercase())
    }

    /// `entry` as configured: its override or default interval times the scale (at least
    /// [`MIN_INTERVAL`]), and whether it is enabled.
    pub fn spec(&self, entry: &CatalogueEntry) -> WorkflowSpec {
        let base = self.intervals.get(entry.name).copied().unwrap_or(entry.default_interval);
        WorkflowSpec {
            name: entry.name,
            interval: scale(base, self.interval_scale),
            enabled: !self.disabled.contains(entry.name),
        }
    }
}

/// `interval * factor`, between [`MIN_INTERVAL`] and [`MAX_INTERVAL`]; a factor that is not a
/// positive finite number leaves the interval as it is (within those bounds).
pub fn scale(interval: Duration, factor: f64) -> Duration {
    let scaled = if factor.is_finite() && factor > 0.0 {
        Duration::try_from_secs_f64(interval.as_secs_f64() * factor).unwrap_or(MAX_INTERVAL)
    } else {
        interval
    };
    scaled.clamp(MIN_INTERVAL, MAX_INTERVAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::catalogue::find;

    #[test]
    fn defaults_are_the_catalogues() {
        let config = SchedulerConfig::new("a");
        let spec = config.spec(find("sync_orders").unwrap());
        assert_eq!(spec, WorkflowSpec { name: "sync_orders", interval: Duration::from_secs(42), enabled: true });
    }

    #[test]
    fn the_scale_multiplies_overrides_and_defaults_with_a_floor() {
        let mut config = SchedulerConfig::new("a");
        config.interval_scale = 0.02;
        config.intervals.insert("anomaly_check".into(), Duration::from_secs(10));
        config.disabled.insert("dca_execution".into());

        assert_eq!(config.spec(find("sync_orders").unwrap()).interval, Duration::from_millis(840));
        assert_eq!(config.spec(find("anomaly_check").unwrap()).interval, Duration::from_millis(200));
        assert_eq!(config.spec(find("paper_matching").unwrap()).interval, Duration::from_millis(100));
        assert!(!config.spec(find("dca_execution").unwrap()).enabled);
        assert_eq!(scale(Duration::from_secs(1), 0.000_001), MIN_INTERVAL);
        assert_eq!(scale(Duration::from_secs(3), f64::NAN), Duration::from_secs(3));
        assert_eq!(scale(Duration::from_secs(u64::MAX), 1.0), MAX_INTERVAL);
        assert_eq!(scale(Duration::from_secs(3600), 1e300), MAX_INTERVAL);
    }

    #[test]
    fn generated_ids_differ() {
        assert_ne!(SchedulerConfig::generated_instance_id(), SchedulerConfig::generated_instance_id());
    }
}
