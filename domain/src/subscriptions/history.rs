//! The history window of a plan: how far back history reads reach (FREE 30 days, PRO 90, MAX all).
//! Asking for older data is not an error: the window is applied, and the response says so.

use time::{Duration, OffsetDateTime};

use super::Entitlements;

/// The window a history read was cut to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryWindow {
    /// The plan's days of history; `None`: unlimited.
    pub days: Option<u32>,
    /// The earliest instant the plan reaches (`now - days`); `None`: unlimited.
    pub from: Option<OffsetDateTime>,
}

impl HistoryWindow {
    /// The window of `entitlements` at `now`.
    pub fn of(entitlements: &Entitlements, now: OffsetDateTime) -> Self {
        let days = entitlements.history_days;
        Self { days, from: days.map(|d| now - Duration::days(i64::from(d))) }
    }

    /// The start of a read that asked to begin at `requested` (`None`: from the beginning):
    /// the later of the two, so the read never reaches before the window.
    pub fn clamp(&self, requested: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
        match (self.from, requested) {
            (Some(from), Some(asked)) => Some(from.max(asked)),
            (from, asked) => from.or(asked),
        }
    }

    /// Whether an instant is inside the window.
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.from.is_none_or(|from| at >= from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subscriptions::{EntitlementTable, Plan};

    fn window(plan: Plan) -> HistoryWindow {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1000);
        HistoryWindow::of(&EntitlementTable::default().for_plan(plan), now)
    }

    #[test]
    fn plans_reach_30_90_and_all_days() {
        let epoch = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(window(Plan::Free).from, Some(epoch + Duration::days(970)));
        assert_eq!(window(Plan::Pro).from, Some(epoch + Duration::days(910)));
        assert_eq!(window(Plan::Max), HistoryWindow { days: None, from: None });
    }

    #[test]
    fn clamp_takes_the_later_start() {
        let free = window(Plan::Free);
        let early = OffsetDateTime::UNIX_EPOCH;
        let late = OffsetDateTime::UNIX_EPOCH + Duration::days(999);
        assert_eq!(free.clamp(Some(early)), free.from);
        assert_eq!(free.clamp(Some(late)), Some(late));
        assert_eq!(free.clamp(None), free.from);
        assert_eq!(window(Plan::Max).clamp(None), None);
        assert_eq!(window(Plan::Max).clamp(Some(early)), Some(early));
        assert!(!free.contains(early) && free.contains(late));
    }
}
