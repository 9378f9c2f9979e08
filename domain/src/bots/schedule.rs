//! Cron schedules in a time zone, for SmartBots in SCHEDULED mode: five fields (minute, hour,
//! day of month, month, day of week; `*`, lists, ranges, steps, names such as `MON`, and
//! croner's `L`, `#` and `W`; day of week 0-7 with 0 and 7 Sunday), evaluated in an IANA time zone
//! (the tz database is embedded: no file is read). Parsing and the search for the next run are
//! the `croner` crate's; this module fixes its options and converts times. As in classic cron,
//! when both day fields are restricted a day matching either runs.

use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A cron expression with its time zone.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronSchedule {
    /// Five-field cron expression, e.g. `0 9 * * 1-5` (09:00 on weekdays).
    pub cron: String,
    /// IANA time zone, e.g. `America/Sao_Paulo` (default `UTC`).
    #[serde(default = "utc")]
    pub time_zone: String,
}

fn utc() -> String {
    "UTC".to_owned()
}

/// The one parser configuration: exactly five fields (no seconds, no year), POSIX day-of-month OR
/// day-of-week, and `a/n` steps accepted as before (`5/15` is minutes 5, 20, 35, 50).
fn parser() -> CronParser {
    CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).sloppy_ranges(true).build()
}

fn parse(expr: &str) -> Result<Cron, String> {
    if expr.split_whitespace().count() != 5 {
        return Err("a cron expression has five fields: minute hour day-of-month month day-of-week".to_owned());
    }
    parser().parse(expr).map_err(|e| format!("{e}"))
}

impl CronSchedule {
    /// Checks the expression and the time zone.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        parse(&self.cron).map_err(|e| ("cron", e))?;
        jiff::tz::TimeZone::get(&self.time_zone)
            .map_err(|_| ("time_zone", format!("unknown time zone `{}`", self.time_zone)))?;
        Ok(())
    }

    /// The first run strictly after `after`; `None` when the expression never matches (e.g.
    /// 31 February) or is invalid. A local time skipped by a daylight-saving jump runs at the
    /// jump (the first instant after it); a repeated local time runs once, at its first
    /// occurrence (croner's rules, as Vixie cron).
    pub fn next_after(&self, after: OffsetDateTime) -> Option<OffsetDateTime> {
        let cron = parse(&self.cron).ok()?;
        let tz = jiff::tz::TimeZone::get(&self.time_zone).ok()?;
        let start = jiff::Timestamp::from_second(after.unix_timestamp()).ok()?.to_zoned(tz);
        let next = cron.find_next_occurrence(&start, false).ok()?;
        OffsetDateTime::from_unix_timestamp(next.timestamp().as_second()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn at(cron: &str, tz: &str) -> CronSchedule {
        CronSchedule { cron: cron.to_owned(), time_zone: tz.to_owned() }
    }

    #[test]
    fn every_day_at_nine_in_sao_paulo() {
        // São Paulo is UTC-3 (no daylight saving since 2019).
        let s = at("0 9 * * *", "America/Sao_Paulo");
        assert_eq!(s.next_after(datetime!(2026-11-23 11:00 UTC)), Some(datetime!(2026-11-23 12:00 UTC)));
        assert_eq!(s.next_after(datetime!(2026-11-23 12:00 UTC)), Some(datetime!(2026-11-24 12:00 UTC)));
    }

    #[test]
    fn steps_ranges_and_weekdays() {
        let s = at("*/15 * * * *", "UTC");
        assert_eq!(s.next_after(datetime!(2026-11-23 10:07 UTC)), Some(datetime!(2026-11-23 10:15 UTC)));
        // 2026-11-28 is a Saturday: weekdays only jumps to Monday the 30th.
        let s = at("30 8 * * 1-5", "UTC");
        assert_eq!(s.next_after(datetime!(2026-11-27 09:00 UTC)), Some(datetime!(2026-11-30 08:30 UTC)));
        let s = at("0 0 * * 7", "UTC");
        assert_eq!(s.next_after(datetime!(2026-11-23 00:00 UTC)), Some(datetime!(2026-11-29 00:00 UTC)));
    }

    #[test]
    fn never_and_invalid() {
        assert_eq!(at("0 0 31 2 *", "UTC").next_after(datetime!(2026-01-01 00:00 UTC)), None);
        assert!(at("0 9 * *", "UTC").validate().is_err());
        assert!(at("61 9 * * *", "UTC").validate().is_err());
        assert_eq!(at("0 9 * * *", "Mars/Olympus").validate().unwrap_err().0, "time_zone");
        assert!(at("0 9 * * *", "Europe/Lisbon").validate().is_ok());
        assert!(at("0 0 9 * * *", "UTC").validate().is_err(), "six fields (seconds) are refused");
        assert!(at("0 9 * * * 2027", "UTC").validate().is_err(), "a year field is refused");
    }

    #[test]
    fn names_old_steps_and_last_day() {
        let s = at("0 12 * * MON-FRI", "UTC");
        assert_eq!(s.next_after(datetime!(2026-11-28 00:00 UTC)), Some(datetime!(2026-11-30 12:00 UTC)));
        // `a/n` as stored by earlier versions: from minute 5 every 15.
        let s = at("5/15 * * * *", "UTC");
        assert_eq!(s.next_after(datetime!(2026-11-23 10:21 UTC)), Some(datetime!(2026-11-23 10:35 UTC)));
        let s = at("0 18 L * *", "UTC");
        assert_eq!(s.next_after(datetime!(2027-02-01 00:00 UTC)), Some(datetime!(2027-02-28 18:00 UTC)));
    }

    #[test]
    fn daylight_saving_in_new_york() {
        // 2027-03-14: clocks jump from 02:00 EST to 03:00 EDT; 02:30 does not exist that day, so
        // the run happens at the jump (03:00 EDT, 07:00 UTC), then at 02:30 EDT the next day.
        let s = at("30 2 * * *", "America/New_York");
        let next = s.next_after(datetime!(2027-03-13 08:00 UTC)).unwrap();
        assert_eq!(next, datetime!(2027-03-14 07:00 UTC), "run at the jump, not skipped");
        assert_eq!(s.next_after(next), Some(datetime!(2027-03-15 06:30 UTC)));
        // 2027-11-07: 01:30 happens twice (EDT then EST); it runs once, at the first.
        let s = at("30 1 * * *", "America/New_York");
        assert_eq!(s.next_after(datetime!(2027-11-07 04:00 UTC)), Some(datetime!(2027-11-07 05:30 UTC)));
        assert_eq!(s.next_after(datetime!(2027-11-07 05:30 UTC)), Some(datetime!(2027-11-08 06:30 UTC)));
        // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
        let s = at("0 9 * * *", "America/New_York");
        assert_eq!(s.next_after(datetime!(2027-03-13 15:00 UTC)), Some(datetime!(2027-03-14 13:00 UTC)));
    }
}
