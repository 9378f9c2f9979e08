//! Test-only crash points in the placement protocol, so a test can stop the server exactly
//! between two of its steps and check what recovery makes of it (docs/engine.md, "Crashes and
//! recovery"). Armed by `BOTFLEET_TEST_FAILPOINT`, which production refuses; unarmed, a point
//! costs one comparison. The code that aborts or hangs is compiled only with the `failpoints`
//! feature, which only test builds enable: in any other build a point does nothing, and the
//! server refuses to start with `BOTFLEET_TEST_FAILPOINT` set ([`COMPILED`]).

use std::fmt;
use std::str::FromStr;

use super::Engine;

/// Whether this build has the crash points (the `failpoints` feature).
pub const COMPILED: bool = cfg!(feature = "failpoints");

/// A step boundary of the placement protocol where the process can be made to die.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashPoint {
    /// The pending order is stored; the bot does not know it yet.
    AfterOrderStored,
    /// The bot is stored with the pending order and its funds blocked; the exchange was not called.
    AfterFundsBlocked,
    /// The exchange accepted the order; nothing of its answer is applied yet.
    AfterExchangeAccepted,
}

impl CrashPoint {
    /// Every point, in protocol order.
    pub const ALL: [CrashPoint; 3] =
        [CrashPoint::AfterOrderStored, CrashPoint::AfterFundsBlocked, CrashPoint::AfterExchangeAccepted];

    /// Its name in `BOTFLEET_TEST_FAILPOINT`.
    pub fn as_str(self) -> &'static str {
        match self {
            CrashPoint::AfterOrderStored => "after_order_stored",
            CrashPoint::AfterFundsBlocked => "after_funds_blocked",
            CrashPoint::AfterExchangeAccepted => "after_exchange_accepted",
        }
    }
}

/// What the process does when it reaches the armed point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailAction {
    /// `std::process::abort()`: as abrupt as `kill -9` (no destructor runs, nothing is flushed).
    Abort,
    /// The placement never goes on (the task waits forever), so a test can kill the process
    /// from outside while the run is in flight.
    Hang,
}

/// An armed crash point: `<point>` (abort there) or `<point>:hang`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failpoint {
    /// Where.
    pub point: CrashPoint,
    /// What happens there.
    pub action: FailAction,
}

/// A `BOTFLEET_TEST_FAILPOINT` value that names no point or action.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FailpointError {
    /// Not one of [`CrashPoint::ALL`].
    #[error("unknown crash point `{0}`; expected after_order_stored, after_funds_blocked or after_exchange_accepted")]
    UnknownPoint(String),
    /// Neither `abort` nor `hang`.
    #[error("unknown action `{0}`; expected `abort` (the default) or `hang`")]
    UnknownAction(String),
}

impl FromStr for Failpoint {
    type Err = FailpointError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let (name, action) = value.trim().split_once(':').unwrap_or((value.trim(), "abort"));
        let point = CrashPoint::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| FailpointError::UnknownPoint(name.to_owned()))?;
        let action = match action {
            "abort" => FailAction::Abort,
            "hang" => FailAction::Hang,
            other => return Err(FailpointError::UnknownAction(other.to_owned())),
        };
        Ok(Self { point, action })
    }
}

impl fmt::Display for Failpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.action {
            FailAction::Abort => f.write_str(self.point.as_str()),
            FailAction::Hang => write!(f, "{}:hang", self.point.as_str()),
        }
    }
}

impl Engine {
    /// Dies (or hangs) here when `point` is the armed failpoint; returns at once otherwise.
    #[cfg(feature = "failpoints")]
    pub(super) async fn crash_point(&self, point: CrashPoint) {
        let Some(armed) = self.ports.failpoint.filter(|f| f.point == point) else { return };
        // The log line is the test's signal that the point was reached; stdout flushes per line.
        tracing::error!(failpoint = point.as_str(), action = ?armed.action, "test failpoint reached");
        match armed.action {
            FailAction::Abort => std::process::abort(),
            FailAction::Hang => std::future::pending::<()>().await,
        }
    }

    /// Without the `failpoints` feature a point is nothing.
    #[cfg(not(feature = "failpoints"))]
    pub(super) async fn crash_point(&self, _point: CrashPoint) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_point_parses_with_either_action_and_prints_back() {
        for point in CrashPoint::ALL {
            let abort: Failpoint = point.as_str().parse().unwrap();
            assert_eq!(abort, Failpoint { point, action: FailAction::Abort });
            assert_eq!(abort.to_string(), point.as_str());
            assert_eq!(format!("{}:abort", point.as_str()).parse::<Failpoint>().unwrap(), abort);
            let hang: Failpoint = format!("{}:hang", point.as_str()).parse().unwrap();
            assert_eq!(hang.action, FailAction::Hang);
            assert_eq!(hang.to_string().parse::<Failpoint>().unwrap(), hang);
        }
    }

    #[test]
    fn unknown_points_and_actions_are_refused() {
        assert_eq!(
            "after_everything".parse::<Failpoint>(),
            Err(FailpointError::UnknownPoint("after_everything".into()))
        );
        assert_eq!(
            "after_order_stored:explode".parse::<Failpoint>(),
            Err(FailpointError::UnknownAction("explode".into()))
        );
        assert!("".parse::<Failpoint>().is_err());
    }
}
