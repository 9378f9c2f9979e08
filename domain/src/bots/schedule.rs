//! Cron schedules in a time zone, for SmartBots in SCHEDULED mode: five fields (minute, hour,
//! day of month, month, day of week; `*`, lists, ranges and steps; day of week 0-7 with 0 and 7
//! Sunday), evaluated in an IANA time zone (the tz database is embedded: no file is read).
//! As in classic cron, when both day fields are restricted a day matching either runs.

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

/// A parsed expression: allowed values of each field as bit sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fields {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    days_any: bool,
    weekdays_any: bool,
}

fn field(raw: &str, min: u32, max: u32, name: &str) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in raw.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().map_err(|_| format!("{name}: bad step `{s}`"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("{name}: step must be at least 1"));
        }
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let a = a.parse::<u32>().map_err(|_| format!("{name}: bad value `{a}`"))?;
            let b = b.parse::<u32>().map_err(|_| format!("{name}: bad value `{b}`"))?;
            (a, b)
        } else {
            let v = range.parse::<u32>().map_err(|_| format!("{name}: bad value `{range}`"))?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("{name}: values must be within {min}-{max}"));
        }
        bits |= (lo..=hi).step_by(step as usize).fold(0u64, |acc, v| acc | (1 << v));
    }
    Ok(bits)
}

fn parse(expr: &str) -> Result<Fields, String> {
    let parts: Vec<&str> = expr.split_whitespace().collect();
    let [mi, h, d, mo, w] = parts.as_slice() else {
        return Err("a cron expression has five fields: minute hour day-of-month month day-of-week".to_owned());
    };
    let mut weekdays = field(w, 0, 7, "day of week")?;
    if weekdays & (1 << 7) != 0 {
        weekdays |= 1;
    }
    Ok(Fields {
        minutes: field(mi, 0, 59, "minute")?,
        hours: field(h, 0, 23, "hour")?,
        days: field(d, 1, 31, "day of month")?,
        months: field(mo, 1, 12, "month")?,
        weekdays,
        days_any: *d == "*",
        weekdays_any: *w == "*",
    })
}

impl CronSchedule {
    /// Checks the expression and the time zone.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        parse(&self.cron).map_err(|e| ("cron", e))?;
        jiff::tz::TimeZone::get(&self.time_zone)
            .map_err(|_| ("time_zone", format!("unknown time zone `{}`", self.time_zone)))?;
        Ok(())
    }

    /// The first run strictly after `after`, within about five years; `None` when the expression
    /// never matches (e.g. 31 February) or is invalid.
    pub fn next_after(&self, after: OffsetDateTime) -> Option<OffsetDateTime> {
        let f = parse(&self.cron).ok()?;
        let tz = jiff::tz::TimeZone::get(&self.time_zone).ok()?;
        let start = jiff::Timestamp::from_second(after.unix_timestamp()).ok()?.to_zoned(tz.clone());
        let mut date = start.date();
        for _ in 0..(366 * 5) {
            let dom = f.days & (1 << date.day()) != 0;
            let dow = f.weekdays & (1 << date.weekday().to_sunday_zero_offset()) != 0;
            let day_ok = match (f.days_any, f.weekdays_any) {
                (true, true) => true,
                (false, true) => dom,
                (true, false) => dow,
                (false, false) => dom || dow,
            };
            if day_ok && f.months & (1 << date.month()) != 0 {
                for hour in (0..24).filter(|h| f.hours & (1 << h) != 0) {
                    for minute in (0..60).filter(|m| f.minutes & (1 << m) != 0) {
                        let civil = date.at(hour as i8, minute as i8, 0, 0);
                        let Ok(zoned) = civil.to_zoned(tz.clone()) else { continue };
                        let secs = zoned.timestamp().as_second();
                        if secs > after.unix_timestamp() {
                            return OffsetDateTime::from_unix_timestamp(secs).ok();
                        }
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
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
    }
}
