//! What `anomaly_check` counts as a market anomaly: the widest spread
//! (`BOTFLEET_ANOMALY_MAX_SPREAD_PERCENT`, 1) and the volume rule, the candles compared
//! (`BOTFLEET_ANOMALY_VOLUME_TIMEFRAME`, `15m`), how many form the distribution
//! (`BOTFLEET_ANOMALY_VOLUME_WINDOW`, 96) and the modified z-score above which a volume is
//! anomalous (`BOTFLEET_ANOMALY_VOLUME_THRESHOLD`, 10). Values out of range are refused at start-up.

use application::engine::AnomalyPolicy;
use domain::market::{Timeframe, VolumeRule};
use rust_decimal::Decimal;

use super::Env;

/// The widest spread, % of the mid price.
pub const SPREAD_VAR: &str = "BOTFLEET_ANOMALY_MAX_SPREAD_PERCENT";
/// The candles whose volume is compared.
pub const TIMEFRAME_VAR: &str = "BOTFLEET_ANOMALY_VOLUME_TIMEFRAME";
/// How many candles before the latest form its distribution.
pub const WINDOW_VAR: &str = "BOTFLEET_ANOMALY_VOLUME_WINDOW";
/// The modified z-score above which a volume is anomalous.
pub const THRESHOLD_VAR: &str = "BOTFLEET_ANOMALY_VOLUME_THRESHOLD";

/// Reads the variables into the engine's anomaly policy.
pub(super) fn load(env: &mut Env) -> AnomalyPolicy {
    let default = AnomalyPolicy::default();
    let positive = |env: &mut Env, var: &'static str, fallback: Decimal| {
        let value: Decimal = env.parse(var, fallback, "a positive decimal number");
        if value <= Decimal::ZERO {
            env.error(var, format!("expected a positive decimal number, got {value}"));
            return fallback;
        }
        value
    };
    let max_spread_percent = positive(env, SPREAD_VAR, default.max_spread_percent);
    let threshold = positive(env, THRESHOLD_VAR, default.volume.threshold);
    let timeframe = match env.raw(TIMEFRAME_VAR).map(|raw| raw.parse::<Timeframe>()) {
        None => default.volume.timeframe,
        Some(Ok(timeframe)) => timeframe,
        Some(Err(err)) => {
            env.error(TIMEFRAME_VAR, err.to_string());
            default.volume.timeframe
        }
    };
    let mut window: usize = env.parse(WINDOW_VAR, default.volume.window, "a whole number of candles");
    if !(20..=900).contains(&window) {
        env.error(WINDOW_VAR, format!("expected 20 to 900 candles, got {window}"));
        window = default.volume.window;
    }
    AnomalyPolicy { max_spread_percent, volume: VolumeRule { timeframe, window, threshold } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn the_policy_has_defaults_and_each_part_is_configurable() {
        assert_eq!(Settings::dev_with(&[]).unwrap().anomaly, AnomalyPolicy::default());
        let vars = [(SPREAD_VAR, "0.5"), (TIMEFRAME_VAR, "1h"), (WINDOW_VAR, "48"), (THRESHOLD_VAR, "6.5")];
        let policy = Settings::dev_with(&vars).unwrap().anomaly;
        assert_eq!(policy.max_spread_percent, Decimal::new(5, 1));
        assert_eq!(policy.volume, VolumeRule { timeframe: Timeframe::H1, window: 48, threshold: Decimal::new(65, 1) });
    }

    #[test]
    fn values_out_of_range_are_refused_naming_the_variable() {
        for (var, bad) in [(SPREAD_VAR, "0"), (THRESHOLD_VAR, "-1"), (TIMEFRAME_VAR, "7m"), (WINDOW_VAR, "5")] {
            let err = Settings::dev_with(&[(var, bad)]).unwrap_err();
            assert_eq!(err.vars(), [var], "{bad}");
        }
    }
}
