//! The equity and cumulative P&L series of a book over a window, one point per UTC day or hour.
//!
//! The first point sits at the window's start (for an unlimited window, the first trade's close
//! rounded down to the interval), then one at every UTC interval boundary after it, and a last one
//! at `now`: the series never reaches before the window. The equity at a point is
//! the capital plus the realized profit to date less that of the trades closed since the point; the last point also marks
//! the open positions (their unrealized P&L now), so its equity is what the book is worth now. The
//! cumulative P&L is the equity's change since the first point.

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime, Time};

use super::Book;

/// Windows up to this many days are hourly by default; longer ones daily.
pub const HOURLY_UP_TO_DAYS: i64 = 7;
/// Hourly series are refused over windows longer than this (at most 744 points).
pub const MAX_HOURLY_DAYS: i64 = 31;

/// The spacing of a series' points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interval {
    /// One point per UTC hour.
    Hour,
    /// One point per UTC day (midnight).
    Day,
}

impl Interval {
    /// The default for a window of `days` (`None`: unlimited): hourly up to
    /// [`HOURLY_UP_TO_DAYS`], daily beyond.
    pub fn default_for(days: Option<i64>) -> Self {
        match days {
            Some(d) if d <= HOURLY_UP_TO_DAYS => Self::Hour,
            _ => Self::Day,
        }
    }

    /// The time between points.
    pub fn step(self) -> Duration {
        match self {
            Self::Hour => Duration::HOUR,
            Self::Day => Duration::DAY,
        }
    }

    /// `at` rounded down to the interval (UTC).
    pub fn floor(self, at: OffsetDateTime) -> OffsetDateTime {
        let at = at.to_offset(time::UtcOffset::UTC);
        match self {
            Self::Hour => at.replace_time(Time::from_hms(at.hour(), 0, 0).unwrap_or(Time::MIDNIGHT)),
            Self::Day => at.replace_time(Time::MIDNIGHT),
        }
    }

    /// The wire name (`hour`, `day`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }
}

/// One point of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EquityPoint {
    /// When (an interval boundary, or `now` for the last point).
    pub at: OffsetDateTime,
    /// Capital + realized profit at that time (+ unrealized P&L at the last point).
    pub equity: Decimal,
    /// The equity's change since the series' first point.
    pub cumulative_pnl: Decimal,
}

/// What series to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesSpec {
    /// The window's start (`None`: from the book's first trade).
    pub from: Option<OffsetDateTime>,
    /// Now: the last point.
    pub now: OffsetDateTime,
    /// The spacing.
    pub interval: Interval,
}

impl SeriesSpec {
    /// The first point's instant for `book`.
    pub fn start(&self, book: &Book) -> OffsetDateTime {
        let first_trade = || book.trades.iter().map(|t| t.closed_at).min().map(|at| self.interval.floor(at));
        self.from.or_else(first_trade).unwrap_or_else(|| self.interval.floor(self.now)).min(self.now)
    }
}

impl Book {
    /// The series of this book: its start, every boundary after it, and now (one point when the
    /// start is now).
    pub fn series(&self, spec: &SeriesSpec) -> Vec<EquityPoint> {
        let mut closes: Vec<(OffsetDateTime, Decimal)> =
            self.trades.iter().map(|t| (t.closed_at, t.realized_profit)).collect();
        closes.sort_by_key(|(at, _)| *at);
        let start = spec.start(self);
        let mut boundaries = Vec::new();
        let mut at = start;
        while at < spec.now {
            boundaries.push(at);
            at = spec.interval.floor(at) + spec.interval.step();
        }
        let mut points = Vec::with_capacity(boundaries.len() + 1);
        // What was realized before the first trade of the book; each trade adds to it as it closes.
        let mut realized = self.realized - closes.iter().map(|(_, pnl)| *pnl).sum::<Decimal>();
        let mut next = closes.iter().peekable();
        let mut base = None;
        for at in boundaries {
            while let Some((_, pnl)) = next.next_if(|(closed, _)| *closed < at) {
                realized += *pnl;
            }
            let equity = self.capital + realized;
            let base = *base.get_or_insert(equity);
            points.push(EquityPoint { at, equity, cumulative_pnl: equity - base });
        }
        realized += next.map(|(_, pnl)| *pnl).sum::<Decimal>();
        let equity = self.capital + realized + self.unrealized;
        let base = base.unwrap_or(equity);
        points.push(EquityPoint { at: spec.now, equity, cumulative_pnl: equity - base });
        points
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;

    use super::*;
    use crate::analytics::ClosedTrade;

    fn trade(closed_at: OffsetDateTime, pnl: Decimal) -> ClosedTrade {
        let opened_at = closed_at - Duration::hours(5);
        ClosedTrade { id: "p".into(), symbol: "BTC/USDT".into(), opened_at, closed_at, realized_profit: pnl }
    }

    #[test]
    fn daily_points_carry_realized_profit_and_the_last_marks_open_positions() {
        let book = Book {
            capital: dec!(1000),
            realized: dec!(1103),
            trades: vec![
                trade(datetime!(2026-01-01 10:00 UTC), dec!(5)),
                trade(datetime!(2026-01-01 07:00 UTC), dec!(1000)),
                trade(datetime!(2026-01-02 23:59 UTC), dec!(-2)),
                trade(datetime!(2025-12-01 10:00 UTC), dec!(100)),
            ],
            unrealized: dec!(7.5),
        };
        let spec = SeriesSpec {
            from: Some(datetime!(2026-01-01 08:00 UTC)),
            now: datetime!(2026-01-03 12:00 UTC),
            interval: Interval::Day,
        };
        let points = book.series(&spec);
        let shape: Vec<_> = points.iter().map(|p| (p.at, p.equity, p.cumulative_pnl)).collect();
        assert_eq!(
            shape,
            vec![
                (datetime!(2026-01-01 8:00 UTC), dec!(2100), dec!(0)),
                (datetime!(2026-01-02 0:00 UTC), dec!(2105), dec!(5)),
                (datetime!(2026-01-03 0:00 UTC), dec!(2103), dec!(3)),
                (datetime!(2026-01-03 12:00 UTC), dec!(2110.5), dec!(10.5)),
            ]
        );
    }

    #[test]
    fn an_empty_book_has_its_start_and_now() {
        let spec = SeriesSpec { from: None, now: datetime!(2026-01-03 12:30 UTC), interval: Interval::Hour };
        let points = Book { capital: dec!(50), ..Book::default() }.series(&spec);
        assert_eq!(points.len(), 2);
        assert_eq!(points[0].at, datetime!(2026-01-03 12:00 UTC));
        assert_eq!(points[1].at, datetime!(2026-01-03 12:30 UTC));
        assert!(points.iter().all(|p| p.equity == dec!(50) && p.cumulative_pnl.is_zero()));
    }

    #[test]
    fn short_windows_are_hourly() {
        assert_eq!(Interval::default_for(Some(7)), Interval::Hour);
        assert_eq!(Interval::default_for(Some(8)), Interval::Day);
        assert_eq!(Interval::default_for(None), Interval::Day);
    }
}
