//! The user's time zone: an IANA name from the tz database compiled into the binary (jiff's
//! bundled copy: no OS tzdata is read at run time), and the user's local day in it (the
//! assistant's daily quota counts over it).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// An IANA time zone name the embedded tz database knows, spelt exactly as the database spells
/// it (`America/Sao_Paulo`, `Europe/Lisbon`, `UTC`). The default is `America/Sao_Paulo`: the
/// product is Brazilian, as the default language is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

/// Why a time zone name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an IANA time zone name such as America/Sao_Paulo (exact spelling)")]
pub struct TimeZoneError;

/// The default zone's name.
pub const DEFAULT_TIME_ZONE: &str = "America/Sao_Paulo";

impl TimeZoneName {
    /// The name if the embedded database has a zone spelt exactly so (links such as
    /// `Brazil/East` included; `america/sao_paulo` is refused, so the spelling stored is the
    /// one the schema lists).
    pub fn parse(raw: &str) -> Result<Self, TimeZoneError> {
        let zone = jiff::tz::TimeZone::get(raw).map_err(|_| TimeZoneError)?;
        if zone.iana_name() != Some(raw) {
            return Err(TimeZoneError);
        }
        Ok(Self(raw.to_owned()))
    }

    /// Every name the embedded database knows, sorted.
    pub fn all() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
        names.sort();
        names
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The local day holding `at`: its first instant and the first instant of the next day,
    /// both in UTC. A day is usually 24 hours; one with a daylight-saving change is 23 or 25,
    /// and a day whose midnight was skipped starts at the first instant after the jump.
    pub fn day_of(&self, at: OffsetDateTime) -> LocalDay {
        self.local_day(at).unwrap_or_else(|| {
            let start = at.to_offset(time::UtcOffset::UTC).replace_time(time::Time::MIDNIGHT);
            LocalDay { start, next: start + time::Duration::days(1) }
        })
    }

    fn local_day(&self, at: OffsetDateTime) -> Option<LocalDay> {
        let zone = jiff::tz::TimeZone::get(&self.0).ok()?;
        let instant = jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos()).ok()?;
        let date = instant.to_zoned(zone.clone()).date();
        let start = date.to_zoned(zone.clone()).ok()?;
        let next = date.tomorrow().ok()?.to_zoned(zone).ok()?;
        let utc = |z: jiff::Zoned| OffsetDateTime::from_unix_timestamp_nanos(z.timestamp().as_nanosecond()).ok();
        Some(LocalDay { start: utc(start)?, next: utc(next)? })
    }
}

/// One local day of a time zone, as UTC instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalDay {
    /// The day's first instant (local midnight, or the end of a jump over it).
    pub start: OffsetDateTime,
    /// The next day's first instant.
    pub next: OffsetDateTime,
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self(DEFAULT_TIME_ZONE.to_owned())
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = TimeZoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> Self {
        value.0
    }
}

impl std::fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn zone(name: &str) -> TimeZoneName {
        TimeZoneName::parse(name).unwrap()
    }

    #[test]
    fn names_are_checked_against_the_embedded_database_exactly() {
        for name in ["America/Sao_Paulo", "Europe/Lisbon", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+3"] {
            assert_eq!(zone(name).as_str(), name);
        }
        for bad in ["america/sao_paulo", "Mars/Olympus", "", "../etc/passwd", "America/Sao_Paulo ", "+03:00"] {
            assert_eq!(TimeZoneName::parse(bad), Err(TimeZoneError), "{bad:?}");
        }
        assert_eq!(TimeZoneName::default().as_str(), "America/Sao_Paulo");
        let all = TimeZoneName::all();
        assert!(all.len() > 300 && all.iter().all(|n| TimeZoneName::parse(n).is_ok()), "{}", all.len());
    }

    #[test]
    fn the_sao_paulo_day_runs_from_03_00_utc() {
        // UTC-3 all year since 2019: 23:30 local is 02:30 UTC the next day.
        let day = zone("America/Sao_Paulo").day_of(datetime!(2026-12-06 02:30 UTC));
        assert_eq!(day, LocalDay { start: datetime!(2026-12-05 03:00 UTC), next: datetime!(2026-12-06 03:00 UTC) });
        let after = zone("America/Sao_Paulo").day_of(datetime!(2026-12-06 03:30 UTC));
        assert_eq!(after.start, day.next);
    }

    #[test]
    fn daylight_saving_days_are_23_and_25_hours_long() {
        let ny = zone("America/New_York");
        // 2027-03-14: 02:00 EST jumps to 03:00 EDT.
        let spring = ny.day_of(datetime!(2027-03-14 12:00 UTC));
        assert_eq!(spring.start, datetime!(2027-03-14 05:00 UTC));
        assert_eq!(spring.next, datetime!(2027-03-15 04:00 UTC));
        // 2027-11-07: 02:00 EDT falls back to 01:00 EST.
        let autumn = ny.day_of(datetime!(2027-11-07 12:00 UTC));
        assert_eq!(autumn.next - autumn.start, time::Duration::hours(25));
        // Lisbon: 2027-03-28 01:00 WET jumps to 02:00 WEST, a 23-hour day; the next starts at 23:00 UTC.
        let jump = zone("Europe/Lisbon").day_of(datetime!(2027-03-28 12:00 UTC));
        assert_eq!(jump, LocalDay { start: datetime!(2027-03-28 00:00 UTC), next: datetime!(2027-03-28 23:00 UTC) });
        let lisbon = zone("Europe/Lisbon").day_of(datetime!(2027-03-28 23:30 UTC));
        assert_eq!(lisbon, LocalDay { start: datetime!(2027-03-28 23:00 UTC), next: datetime!(2027-03-29 23:00 UTC) });
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_after_the_jump() {
        // São Paulo's 2018 daylight saving began at midnight on 4 November: 00:00 became 01:00.
        let day = zone("America/Sao_Paulo").day_of(datetime!(2018-11-04 12:00 UTC));
        assert_eq!(day.start, datetime!(2018-11-04 03:00 UTC), "01:00 -02:00 is 03:00 UTC");
        assert_eq!(day.next, datetime!(2018-11-05 02:00 UTC));
    }
}
