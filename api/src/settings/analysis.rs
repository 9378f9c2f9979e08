//! Context analysis settings: the timeframe the `candle_analysis` workflow analyses
//! (`BOTFLEET_CONTEXT_ANALYSIS_TIMEFRAME`, `1h` by default), refused at start-up when it is not
//! a timeframe.

use domain::contexts::analysis::DEFAULT_TIMEFRAME;
use domain::market::Timeframe;

use super::Env;

/// The variable naming the timeframe.
pub const TIMEFRAME_VAR: &str = "BOTFLEET_CONTEXT_ANALYSIS_TIMEFRAME";

/// Signals per context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnalysisSettings {
    /// `BOTFLEET_CONTEXT_ANALYSIS_TIMEFRAME` (default `1h`, which every supported exchange
    /// offers): one of `1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M` (case-sensitive). A
    /// timeframe an exchange does not offer leaves that exchange's contexts without signals (each
    /// run counts their markets as failed).
    pub timeframe: Timeframe,
}

impl AnalysisSettings {
    /// Reads the variable.
    pub(super) fn load(env: &mut Env) -> Self {
        let timeframe = match env.raw(TIMEFRAME_VAR).map(|raw| raw.parse::<Timeframe>()) {
            None => DEFAULT_TIMEFRAME,
            Some(Ok(timeframe)) => timeframe,
            Some(Err(err)) => {
                env.error(TIMEFRAME_VAR, err.to_string());
                DEFAULT_TIMEFRAME
            }
        };
        Self { timeframe }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn the_timeframe_is_hourly_by_default_and_configurable() {
        assert_eq!(Settings::dev_with(&[]).unwrap().analysis.timeframe, Timeframe::H1);
        assert_eq!(Settings::dev_with(&[(TIMEFRAME_VAR, "4h")]).unwrap().analysis.timeframe, Timeframe::H4);
        assert_eq!(Settings::dev_with(&[(TIMEFRAME_VAR, " 1M ")]).unwrap().analysis.timeframe, Timeframe::Mo1);
    }

    #[test]
    fn anything_but_a_timeframe_is_refused_naming_the_variable_and_the_choices() {
        for bad in ["1H", "hourly", "60m", "0"] {
            let err = Settings::dev_with(&[(TIMEFRAME_VAR, bad)]).unwrap_err();
            assert_eq!(err.vars(), [TIMEFRAME_VAR], "{bad}");
            let message = err.to_string();
            assert!(message.contains(&format!("`{bad}`")) && message.contains("1s 1m 3m"), "{message}");
        }
    }
}
