//! Engine settings: how long a pending order may stay unknown to its exchange
//! (`BOTFLEET_ORDER_PENDING_GRACE_SECS`), how old an acknowledged order the exchange no longer
//! knows must be before it is ended as forgotten (`BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS`), and the
//! test-only crash point (`BOTFLEET_TEST_FAILPOINT`), all refused where they could lose an order.

use std::time::Duration;

use application::engine::{Failpoint, FORGOTTEN_AFTER, PENDING_GRACE};

use super::{Env, Environment};

/// The longest accepted grace: a day.
const MAX_GRACE_SECS: u64 = 86_400;

/// The shortest forgotten age outside tests: an hour, so a transient "not found" (an exchange's
/// replica lagging, a maintenance window) never ends an order.
const MIN_FORGOTTEN_SECS: u64 = 3_600;

/// The longest forgotten age: a year.
const MAX_FORGOTTEN_SECS: u64 = 31_536_000;

/// The execution engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineSettings {
    /// `BOTFLEET_ORDER_PENDING_GRACE_SECS` (default 60): how long a pending order the exchange does
    /// not know is given before sync marks it rejected (never sent). Outside
    /// `BOTFLEET_ENVIRONMENT=test` it must outlast an order placement's time-out
    /// (`BOTFLEET_EXCHANGE_ORDER_TIMEOUT_MS`), or an order still in flight could be rejected here
    /// and filled there.
    pub pending_grace: Duration,
    /// `BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS` (default 259200, three days): how old an acknowledged
    /// open order must be before sync ends it as canceled and flagged `forgotten` when its
    /// exchange answers "not found". An hour to a year, and longer than the pending grace;
    /// `BOTFLEET_ENVIRONMENT=test` may set less than an hour.
    pub forgotten_after: Duration,
    /// `BOTFLEET_TEST_FAILPOINT` (tests only; refused when `BOTFLEET_ENVIRONMENT=production`): a
    /// crash point of the placement protocol, `<point>` or `<point>:hang`.
    pub failpoint: Option<Failpoint>,
}

impl EngineSettings {
    /// Reads the variables; `order_timeout` is how long an order placement may take.
    pub(super) fn load(env: &mut Env, environment: Environment, order_timeout: Duration) -> Self {
        const VAR: &str = "BOTFLEET_ORDER_PENDING_GRACE_SECS";
        let default = PENDING_GRACE.whole_seconds().unsigned_abs();
        let mut secs: u64 = env.parse(VAR, default, "a whole number of seconds");
        if secs > MAX_GRACE_SECS {
            env.error(VAR, format!("expected at most {MAX_GRACE_SECS} seconds (a day), got {secs}"));
            secs = default;
        }
        let pending_grace = Duration::from_secs(secs);
        if environment != Environment::Test && pending_grace <= order_timeout {
            env.error(
                VAR,
                format!(
                    "expected more than the order time-out of {} ms (BOTFLEET_EXCHANGE_ORDER_TIMEOUT_MS): an order \
                     still being placed could be rejected here and filled on the exchange",
                    order_timeout.as_millis()
                ),
            );
        }
        let forgotten_after = Self::load_forgotten_after(env, environment, pending_grace);
        let failpoint = env.raw("BOTFLEET_TEST_FAILPOINT").and_then(|raw| match raw.parse::<Failpoint>() {
            Ok(failpoint) => Some(failpoint),
            Err(err) => {
                env.error("BOTFLEET_TEST_FAILPOINT", err.to_string());
                None
            }
        });
        if failpoint.is_some() && environment == Environment::Production {
            env.error("BOTFLEET_TEST_FAILPOINT", "must not be set when BOTFLEET_ENVIRONMENT=production");
        } else if failpoint.is_some() && !application::engine::FAILPOINTS_COMPILED {
            env.error("BOTFLEET_TEST_FAILPOINT", "this build has no test failpoints (only test builds compile them)");
        }
        Self { pending_grace, forgotten_after, failpoint }
    }

    fn load_forgotten_after(env: &mut Env, environment: Environment, pending_grace: Duration) -> Duration {
        const VAR: &str = "BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS";
        let default = FORGOTTEN_AFTER.whole_seconds().unsigned_abs();
        let secs: u64 = env.parse(VAR, default, "a whole number of seconds");
        let min = if environment == Environment::Test { 0 } else { MIN_FORGOTTEN_SECS };
        if !(min..=MAX_FORGOTTEN_SECS).contains(&secs) {
            env.error(VAR, format!("expected {min} to {MAX_FORGOTTEN_SECS} seconds (a year), got {secs}"));
            return Duration::from_secs(default);
        }
        let forgotten_after = Duration::from_secs(secs);
        if environment != Environment::Test && forgotten_after <= pending_grace {
            env.error(
                VAR,
                format!(
                    "expected more than the pending grace of {} s (BOTFLEET_ORDER_PENDING_GRACE_SECS)",
                    pending_grace.as_secs()
                ),
            );
        }
        forgotten_after
    }

    /// The grace as the engine counts it.
    pub fn pending_grace(&self) -> time::Duration {
        time::Duration::try_from(self.pending_grace).unwrap_or(PENDING_GRACE)
    }

    /// The forgotten age as the engine counts it.
    pub fn forgotten_after(&self) -> time::Duration {
        time::Duration::try_from(self.forgotten_after).unwrap_or(FORGOTTEN_AFTER)
    }
}

#[cfg(test)]
mod tests {
    use application::engine::{CrashPoint, FailAction};

    use super::*;
    use crate::settings::Settings;

    #[test]
    fn defaults_are_a_minute_of_grace_and_no_failpoint() {
        let engine = Settings::dev_with(&[]).unwrap().engine;
        assert_eq!(engine.pending_grace, Duration::from_secs(60));
        assert_eq!(engine.pending_grace(), PENDING_GRACE);
        assert_eq!(engine.failpoint, None);
        assert_eq!(engine.forgotten_after, Duration::from_secs(3 * 86_400));
        assert_eq!(engine.forgotten_after(), FORGOTTEN_AFTER);
    }

    #[test]
    fn the_forgotten_age_is_an_hour_to_a_year_and_outlasts_the_grace() {
        let engine = Settings::dev_with(&[("BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS", "7200")]).unwrap().engine;
        assert_eq!(engine.forgotten_after(), time::Duration::hours(2));
        let engine =
            Settings::dev_with(&[("BOTFLEET_ENVIRONMENT", "test"), ("BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS", "5")])
                .unwrap()
                .engine;
        assert_eq!(engine.forgotten_after(), time::Duration::seconds(5));
        for bad in ["soon", "-1", "60", "31536001"] {
            let err = Settings::dev_with(&[("BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS", bad)]).unwrap_err();
            assert_eq!(err.vars(), ["BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS"], "{bad}");
        }
        let err = Settings::dev_with(&[
            ("BOTFLEET_ORDER_PENDING_GRACE_SECS", "3600"),
            ("BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS", "3600"),
        ])
        .unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_ORDER_FORGOTTEN_AFTER_SECS"]);
        assert!(err.to_string().contains("pending grace"), "{err}");
    }

    #[test]
    fn a_failpoint_is_read_in_test_and_development_and_refused_in_production() {
        for environment in ["test", "development"] {
            let engine = Settings::dev_with(&[
                ("BOTFLEET_ENVIRONMENT", environment),
                ("BOTFLEET_TEST_FAILPOINT", "after_exchange_accepted:hang"),
            ])
            .unwrap()
            .engine;
            let expected = Failpoint { point: CrashPoint::AfterExchangeAccepted, action: FailAction::Hang };
            assert_eq!(engine.failpoint, Some(expected), "{environment}");
        }
        let err = Settings::dev_with(&[
            ("BOTFLEET_ENVIRONMENT", "production"),
            ("BOTFLEET_TEST_FAILPOINT", "after_order_stored"),
        ])
        .unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_TEST_FAILPOINT"]);
        assert!(err.to_string().contains("production"), "{err}");
        let err = Settings::dev_with(&[("BOTFLEET_TEST_FAILPOINT", "after_lunch")]).unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_TEST_FAILPOINT"]);
        assert!(err.to_string().contains("after_lunch"), "{err}");
    }

    #[test]
    fn the_grace_must_outlast_the_order_time_out_except_in_tests() {
        let engine =
            Settings::dev_with(&[("BOTFLEET_ENVIRONMENT", "test"), ("BOTFLEET_ORDER_PENDING_GRACE_SECS", "0")])
                .unwrap()
                .engine;
        assert_eq!(engine.pending_grace(), time::Duration::ZERO);
        // The default order time-out is 40 s.
        let err = Settings::dev_with(&[("BOTFLEET_ORDER_PENDING_GRACE_SECS", "40")]).unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_ORDER_PENDING_GRACE_SECS"]);
        assert!(err.to_string().contains("40000 ms"), "{err}");
        let engine = Settings::dev_with(&[
            ("BOTFLEET_ORDER_PENDING_GRACE_SECS", "20"),
            ("BOTFLEET_EXCHANGE_ORDER_TIMEOUT_MS", "5000"),
        ])
        .unwrap()
        .engine;
        assert_eq!(engine.pending_grace, Duration::from_secs(20));
        for bad in ["soon", "-1", "86401"] {
            let err =
                Settings::dev_with(&[("BOTFLEET_ENVIRONMENT", "test"), ("BOTFLEET_ORDER_PENDING_GRACE_SECS", bad)])
                    .unwrap_err();
            assert_eq!(err.vars(), ["BOTFLEET_ORDER_PENDING_GRACE_SECS"], "{bad}");
        }
    }
}
