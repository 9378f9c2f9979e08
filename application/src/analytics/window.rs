//! The windows and intervals a performance request may ask for.

use std::str::FromStr;

use domain::analytics::Interval;
use domain::shared::ids::UserId;
use domain::subscriptions::HistoryWindow;
use time::{Duration, OffsetDateTime};

use super::{AnalyticsError, AnalyticsService};
use crate::subscriptions::Access;

/// The window a read applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppliedWindow {
    /// The plan's history window.
    pub history_window: HistoryWindow,
    /// The window asked for.
    pub window: WindowChoice,
    /// The start after the plan's window cut it (`None`: each book's first trade).
    pub from: Option<OffsetDateTime>,
    /// Now: where every read ends.
    pub to: OffsetDateTime,
}

impl AnalyticsService {
    /// The caller's plan and the window `window` comes to under it, now.
    pub(super) async fn applied(
        &self,
        owner: UserId,
        window: WindowChoice,
    ) -> Result<(Access, AppliedWindow), AnalyticsError> {
        let to = self.ports.clock.now();
        let access = self.ports.subscriptions.access(owner).await?;
        let history_window = access.history_window(to);
        let from = history_window.clamp(window.days().map(|d| to - Duration::days(d)));
        Ok((access, AppliedWindow { history_window, window, from, to }))
    }
}

/// The window asked for: the last 7, 30 or 90 days, the last year, or all (each cut to the plan's
/// history window).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowChoice {
    /// `7d`.
    Week,
    /// `30d` (the default).
    Month,
    /// `90d`.
    Quarter,
    /// `1y` (365 days).
    Year,
    /// `all`.
    All,
}

/// The window is not one of `7d`, `30d`, `90d`, `1y`, `all`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be one of 7d, 30d, 90d, 1y, all")]
pub struct UnknownWindow;

/// The interval is not `hour` nor `day`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be hour or day")]
pub struct UnknownInterval;

impl WindowChoice {
    /// Every choice, as the wire names them.
    pub const NAMES: [&'static str; 5] = ["7d", "30d", "90d", "1y", "all"];

    /// How many days back it reaches (`None`: all).
    pub fn days(self) -> Option<i64> {
        match self {
            Self::Week => Some(7),
            Self::Month => Some(30),
            Self::Quarter => Some(90),
            Self::Year => Some(365),
            Self::All => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Week => "7d",
            Self::Month => "30d",
            Self::Quarter => "90d",
            Self::Year => "1y",
            Self::All => "all",
        }
    }
}

impl FromStr for WindowChoice {
    type Err = UnknownWindow;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "7d" => Ok(Self::Week),
            "30d" => Ok(Self::Month),
            "90d" => Ok(Self::Quarter),
            "1y" => Ok(Self::Year),
            "all" => Ok(Self::All),
            _ => Err(UnknownWindow),
        }
    }
}

/// Parses an interval's wire name (`hour`, `day`).
pub fn parse_interval(raw: &str) -> Result<Interval, UnknownInterval> {
    match raw {
        "hour" => Ok(Interval::Hour),
        "day" => Ok(Interval::Day),
        _ => Err(UnknownInterval),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_others_are_refused() {
        for name in WindowChoice::NAMES {
            assert_eq!(name.parse::<WindowChoice>().map(WindowChoice::as_str), Ok(name));
        }
        assert_eq!("14d".parse::<WindowChoice>(), Err(UnknownWindow));
        assert_eq!(parse_interval("minute"), Err(UnknownInterval));
        assert_eq!(parse_interval("hour"), Ok(Interval::Hour));
    }
}
