//! Workflow settings: the scheduler's switches and intervals (`BOTFLEET_WORKERS`,
//! `BOTFLEET_WORKFLOW_INTERVAL_SCALE`, `BOTFLEET_WORKFLOW_<NAME>_SECS`,
//! `BOTFLEET_WORKFLOW_<NAME>_ENABLED`), this instance's lease holder id and the ops token of the
//! system endpoints.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use infrastructure::scheduler::{SchedulerConfig, MAX_INTERVAL};

use super::{Env, Secret};

/// The two variables of one catalogue workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkflowVars {
    /// The workflow (`sync_orders`).
    pub name: &'static str,
    /// `BOTFLEET_WORKFLOW_<NAME>_SECS`: its interval in seconds.
    pub secs: &'static str,
    /// `BOTFLEET_WORKFLOW_<NAME>_ENABLED`: `false` switches it off.
    pub enabled: &'static str,
}

macro_rules! workflow_vars {
    ($($name:ident => $upper:literal),* $(,)?) => {
        /// The variables of every catalogue workflow, in catalogue order.
        pub const WORKFLOW_VARS: &[WorkflowVars] = &[$(WorkflowVars {
            name: stringify!($name),
            secs: concat!("BOTFLEET_WORKFLOW_", $upper, "_SECS"),
            enabled: concat!("BOTFLEET_WORKFLOW_", $upper, "_ENABLED"),
        }),*];
    };
}

workflow_vars!(
    sync_orders => "SYNC_ORDERS",
    sync_withdrawals => "SYNC_WITHDRAWALS",
    sync_strategy_balances => "SYNC_STRATEGY_BALANCES",
    anomaly_check => "ANOMALY_CHECK",
    smart_bot_purchase => "SMART_BOT_PURCHASE",
    smart_bot_sales => "SMART_BOT_SALES",
    smart_bot_check_situation => "SMART_BOT_CHECK_SITUATION",
    candle_bots_analysis => "CANDLE_BOTS_ANALYSIS",
    candle_bots_risk_management => "CANDLE_BOTS_RISK_MANAGEMENT",
    dca_execution => "DCA_EXECUTION",
    dca_risk_management => "DCA_RISK_MANAGEMENT",
    channel_bots => "CHANNEL_BOTS",
    candle_analysis => "CANDLE_ANALYSIS",
    credential_revalidation => "CREDENTIAL_REVALIDATION",
    subscription_reconciliation => "SUBSCRIPTION_RECONCILIATION",
    assistant_suggestions => "ASSISTANT_SUGGESTIONS",
    paper_matching => "PAPER_MATCHING",
    relay_events => "RELAY_EVENTS",
    webhook_delivery => "WEBHOOK_DELIVERY",
    email_notifications => "EMAIL_NOTIFICATIONS",
    telegram_notifications => "TELEGRAM_NOTIFICATIONS",
    telegram_updates => "TELEGRAM_UPDATES",
    operator_audit_expiry => "OPERATOR_AUDIT_EXPIRY",
);

/// What a `_SECS` variable must hold.
const SECS_EXPECTED: &str = "a whole number of seconds from 1 to 31536000 (a year)";

/// The shortest accepted ops token.
pub const MIN_OPS_TOKEN_LEN: usize = 16;

/// The scheduler and the system endpoints.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowSettings {
    /// `BOTFLEET_WORKERS` (default true): `false` makes an API-only instance that runs no workflow.
    pub workers: bool,
    /// `BOTFLEET_WORKFLOW_INTERVAL_SCALE` (default 1.0, > 0): multiplies every interval.
    pub interval_scale: f64,
    /// Interval overrides (before the scale): `BOTFLEET_WORKFLOW_<NAME>_SECS`, and for the two
    /// upkeep workflows their older variables `BOTFLEET_CREDENTIAL_REVALIDATE_SECS` and
    /// `BOTFLEET_SUBSCRIPTION_RECONCILE_SECS`.
    pub intervals: BTreeMap<&'static str, Duration>,
    /// Workflows switched off: `BOTFLEET_WORKFLOW_<NAME>_ENABLED=false`, or an older variable at 0.
    pub disabled: BTreeSet<&'static str>,
    /// `BOTFLEET_INSTANCE_ID` (default: generated at start): the holder of this instance's leases.
    pub instance_id: String,
    /// `BOTFLEET_OPS_TOKEN` (at least 16 characters; default none): a bearer token that may call
    /// the system endpoints without an admin account.
    pub ops_token: Option<Secret>,
    /// `BOTFLEET_CLOCK_SPEED` (default 1; demos and tests only, refused in production): how many
    /// times faster than real time the markets' clock runs for the engine and the paper exchanges
    /// (3600: an hour of the replayed candles per second). Accounts, tokens and subscriptions keep
    /// real time.
    pub clock_speed: f64,
}

impl WorkflowSettings {
    /// Reads the variables; `legacy` are the upkeep intervals the older variables set (`None`:
    /// turned off), by workflow name.
    pub(super) fn load(env: &mut Env, legacy: &[(&'static str, Option<Duration>)]) -> Self {
        let workers = env.bool("BOTFLEET_WORKERS", true);
        let interval_scale = match env.raw("BOTFLEET_WORKFLOW_INTERVAL_SCALE") {
            None => 1.0,
            Some(raw) => match raw.parse::<f64>() {
                Ok(scale) if scale.is_finite() && scale > 0.0 => scale,
                _ => {
                    env.error(
                        "BOTFLEET_WORKFLOW_INTERVAL_SCALE",
                        format!("expected a number greater than 0 like `1.0` or `0.02`, got `{raw}`"),
                    );
                    1.0
                }
            },
        };
        let (mut intervals, mut disabled) = (BTreeMap::new(), BTreeSet::new());
        for (name, every) in legacy {
            if let Some(every) = every {
                intervals.insert(*name, *every);
            } else {
                disabled.insert(*name);
            }
        }
        for vars in WORKFLOW_VARS {
            if let Some(secs) = env.parse_opt::<u64>(vars.secs, SECS_EXPECTED) {
                if (1..=MAX_INTERVAL.as_secs()).contains(&secs) {
                    intervals.insert(vars.name, Duration::from_secs(secs));
                } else {
                    env.error(
                        vars.secs,
                        format!("expected {SECS_EXPECTED} (switch a workflow off with its _ENABLED variable)"),
                    );
                }
            }
            if env.raw(vars.enabled).is_some() {
                if env.bool(vars.enabled, true) {
                    disabled.remove(vars.name);
                } else {
                    disabled.insert(vars.name);
                }
            }
        }
        let instance_id = env.raw("BOTFLEET_INSTANCE_ID").unwrap_or_else(SchedulerConfig::generated_instance_id);
        if instance_id.len() > 100 || !instance_id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) {
            env.error(
                "BOTFLEET_INSTANCE_ID",
                "expected at most 100 characters of letters, digits, `-`, `_`, `.` or `:`",
            );
        }
        let ops_token = env.secret("BOTFLEET_OPS_TOKEN");
        if ops_token.as_ref().is_some_and(|token| token.len() < MIN_OPS_TOKEN_LEN) {
            env.error("BOTFLEET_OPS_TOKEN", format!("expected at least {MIN_OPS_TOKEN_LEN} characters"));
        }
        let clock_speed = match env.raw("BOTFLEET_CLOCK_SPEED") {
            None => 1.0,
            Some(raw) => match raw.parse::<f64>() {
                Ok(speed) if speed.is_finite() && (1.0..=1_000_000.0).contains(&speed) => speed,
                _ => {
                    env.error("BOTFLEET_CLOCK_SPEED", format!("expected a number from 1 to 1000000, got `{raw}`"));
                    1.0
                }
            },
        };
        Self { workers, interval_scale, intervals, disabled, instance_id, ops_token, clock_speed }
    }

    /// The scheduler's configuration.
    pub fn scheduler_config(&self) -> SchedulerConfig {
        SchedulerConfig {
            instance_id: self.instance_id.clone(),
            workers: self.workers,
            interval_scale: self.interval_scale,
            intervals: self.intervals.iter().map(|(name, every)| ((*name).to_owned(), *every)).collect(),
            disabled: self.disabled.iter().map(|name| (*name).to_owned()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use infrastructure::scheduler::{find, CATALOGUE};

    use super::*;
    use crate::settings::Settings;

    #[test]
    fn every_catalogue_workflow_has_its_variables() {
        let names: Vec<&str> = WORKFLOW_VARS.iter().map(|v| v.name).collect();
        assert_eq!(names, CATALOGUE.iter().map(|e| e.name).collect::<Vec<_>>());
        for vars in WORKFLOW_VARS {
            let upper = vars.name.to_ascii_uppercase();
            assert_eq!(vars.secs, format!("BOTFLEET_WORKFLOW_{upper}_SECS"));
            assert_eq!(vars.enabled, format!("BOTFLEET_WORKFLOW_{upper}_ENABLED"));
        }
    }

    #[test]
    fn defaults_run_every_workflow_at_its_catalogue_interval() {
        let s = Settings::dev_with(&[]).unwrap().workflows;
        assert!(s.workers && s.ops_token.is_none() && s.disabled.is_empty());
        assert_eq!(s.interval_scale, 1.0);
        assert!(s.instance_id.starts_with("instance-"));
        let config = s.scheduler_config();
        for entry in CATALOGUE {
            assert_eq!(config.spec(entry).interval, entry.default_interval, "{}", entry.name);
        }
    }

    #[test]
    fn scale_overrides_and_switches_are_read() {
        let s = Settings::dev_with(&[
            ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
            ("BOTFLEET_WORKFLOW_SYNC_ORDERS_SECS", "10"),
            ("BOTFLEET_WORKFLOW_DCA_EXECUTION_ENABLED", "false"),
            ("BOTFLEET_WORKERS", "false"),
            ("BOTFLEET_INSTANCE_ID", "api-1"),
            ("BOTFLEET_OPS_TOKEN", "ops-token-0123456789"),
        ])
        .unwrap()
        .workflows;
        let config = s.scheduler_config();
        assert_eq!(config.spec(find("sync_orders").unwrap()).interval, Duration::from_millis(200));
        assert_eq!(config.spec(find("candle_analysis").unwrap()).interval, Duration::from_secs(6));
        assert!(!config.spec(find("dca_execution").unwrap()).enabled);
        assert!(!config.workers);
        assert_eq!(config.instance_id, "api-1");
        assert_eq!(s.ops_token.unwrap().expose(), "ops-token-0123456789");
    }

    #[test]
    fn the_older_upkeep_variables_still_apply_and_the_new_ones_win() {
        let s = Settings::dev_with(&[
            ("BOTFLEET_CREDENTIAL_REVALIDATE_SECS", "0"),
            ("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "120"),
        ])
        .unwrap()
        .workflows;
        assert!(s.disabled.contains("credential_revalidation"));
        assert_eq!(s.intervals.get("subscription_reconciliation"), Some(&Duration::from_secs(120)));

        let s = Settings::dev_with(&[
            ("BOTFLEET_CREDENTIAL_REVALIDATE_SECS", "0"),
            ("BOTFLEET_WORKFLOW_CREDENTIAL_REVALIDATION_ENABLED", "true"),
            ("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "120"),
            ("BOTFLEET_WORKFLOW_SUBSCRIPTION_RECONCILIATION_SECS", "60"),
        ])
        .unwrap()
        .workflows;
        assert!(s.disabled.is_empty());
        assert_eq!(s.intervals.get("subscription_reconciliation"), Some(&Duration::from_secs(60)));
    }

    #[test]
    fn bad_values_name_their_variable_and_never_quote_the_token() {
        let err = Settings::dev_with(&[
            ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0"),
            ("BOTFLEET_WORKFLOW_PAPER_MATCHING_SECS", "0"),
            ("BOTFLEET_WORKFLOW_SYNC_WITHDRAWALS_SECS", "31536001"),
            ("BOTFLEET_WORKFLOW_ANOMALY_CHECK_SECS", "soon"),
            ("BOTFLEET_WORKFLOW_SYNC_ORDERS_ENABLED", "maybe"),
            ("BOTFLEET_WORKERS", "sometimes"),
            ("BOTFLEET_INSTANCE_ID", "has space"),
            ("BOTFLEET_OPS_TOKEN", "short-secret"),
        ])
        .unwrap_err();
        let mut vars = err.vars();
        vars.sort_unstable();
        assert_eq!(
            vars,
            [
                "BOTFLEET_INSTANCE_ID",
                "BOTFLEET_OPS_TOKEN",
                "BOTFLEET_WORKERS",
                "BOTFLEET_WORKFLOW_ANOMALY_CHECK_SECS",
                "BOTFLEET_WORKFLOW_INTERVAL_SCALE",
                "BOTFLEET_WORKFLOW_PAPER_MATCHING_SECS",
                "BOTFLEET_WORKFLOW_SYNC_ORDERS_ENABLED",
                "BOTFLEET_WORKFLOW_SYNC_WITHDRAWALS_SECS",
            ]
        );
        assert!(!err.to_string().contains("short-secret"));
        for scale in ["-1", "NaN", "inf", "fast"] {
            let err = Settings::dev_with(&[("BOTFLEET_WORKFLOW_INTERVAL_SCALE", scale)]).unwrap_err();
            assert_eq!(err.vars(), ["BOTFLEET_WORKFLOW_INTERVAL_SCALE"], "{scale}");
        }
    }
}
