//! Analytics settings: the annual risk-free rate the Sharpe and Sortino ratios subtract
//! (`BOTFLEET_ANALYTICS_RISK_FREE_RATE`, a fraction: `0.05` is 5 %; default 0), refused at
//! start-up unless it is a decimal from 0 to 1.

use std::str::FromStr;

use domain::analytics::MetricsConfig;
use rust_decimal::Decimal;

use super::Env;

/// The variable naming the rate.
pub const RISK_FREE_RATE_VAR: &str = "BOTFLEET_ANALYTICS_RISK_FREE_RATE";

/// Reads the variable into the metrics' settings.
pub(super) fn load(env: &mut Env) -> MetricsConfig {
    let Some(raw) = env.raw(RISK_FREE_RATE_VAR) else { return MetricsConfig::default() };
    match Decimal::from_str(raw.trim()) {
        Ok(rate) if (Decimal::ZERO..=Decimal::ONE).contains(&rate) => MetricsConfig { risk_free_rate: rate },
        _ => {
            env.error(RISK_FREE_RATE_VAR, "must be a decimal fraction from 0 to 1 (0.05 is 5 %)".to_owned());
            MetricsConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn the_rate_is_zero_by_default_and_configurable() {
        assert_eq!(Settings::dev_with(&[]).unwrap().analytics.risk_free_rate, Decimal::ZERO);
        let set = Settings::dev_with(&[(RISK_FREE_RATE_VAR, "0.045")]).unwrap();
        assert_eq!(set.analytics.risk_free_rate, Decimal::new(45, 3));
    }

    #[test]
    fn anything_but_a_fraction_is_refused_naming_the_variable() {
        for bad in ["5%", "-0.01", "1.5", "abc"] {
            let err = Settings::dev_with(&[(RISK_FREE_RATE_VAR, bad)]).unwrap_err();
            assert_eq!(err.vars(), [RISK_FREE_RATE_VAR], "{bad}");
        }
    }
}
