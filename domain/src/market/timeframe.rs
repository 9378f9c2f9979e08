//! Candle timeframes: the 16 Binance intervals. Each exchange supports a subset.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, Time};

/// A candle interval. Wire names are Binance's (`1m`, `1h`, `1M` …), case-sensitive.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Timeframe {
    /// 1 second.
    #[serde(rename = "1s")]
    S1,
    /// 1 minute.
    #[serde(rename = "1m")]
    M1,
    /// 3 minutes.
    #[serde(rename = "3m")]
    M3,
    /// 5 minutes.
    #[serde(rename = "5m")]
    M5,
    /// 15 minutes.
    #[serde(rename = "15m")]
    M15,
    /// 30 minutes.
    #[serde(rename = "30m")]
    M30,
    /// 1 hour.
    #[serde(rename = "1h")]
    H1,
    /// 2 hours.
    #[serde(rename = "2h")]
    H2,
    /// 4 hours.
    #[serde(rename = "4h")]
    H4,
    /// 6 hours.
    #[serde(rename = "6h")]
    H6,
    /// 8 hours.
    #[serde(rename = "8h")]
    H8,
    /// 12 hours.
    #[serde(rename = "12h")]
    H12,
    /// 1 day.
    #[serde(rename = "1d")]
    D1,
    /// 3 days.
    #[serde(rename = "3d")]
    D3,
    /// 1 week.
    #[serde(rename = "1w")]
    W1,
    /// 1 calendar month.
    #[serde(rename = "1M")]
    Mo1,
}

/// The name is not one of the 16 timeframes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown timeframe `{0}`; expected one of 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M")]
pub struct UnknownTimeframe(pub String);

impl Timeframe {
    /// All 16, shortest first.
    pub const ALL: [Timeframe; 16] = [
        Timeframe::S1,
        Timeframe::M1,
        Timeframe::M3,
        Timeframe::M5,
        Timeframe::M15,
        Timeframe::M30,
        Timeframe::H1,
        Timeframe::H2,
        Timeframe::H4,
        Timeframe::H6,
        Timeframe::H8,
        Timeframe::H12,
        Timeframe::D1,
        Timeframe::D3,
        Timeframe::W1,
        Timeframe::Mo1,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Timeframe::S1 => "1s",
            Timeframe::M1 => "1m",
            Timeframe::M3 => "3m",
            Timeframe::M5 => "5m",
            Timeframe::M15 => "15m",
            Timeframe::M30 => "30m",
            Timeframe::H1 => "1h",
            Timeframe::H2 => "2h",
            Timeframe::H4 => "4h",
            Timeframe::H6 => "6h",
            Timeframe::H8 => "8h",
            Timeframe::H12 => "12h",
            Timeframe::D1 => "1d",
            Timeframe::D3 => "3d",
            Timeframe::W1 => "1w",
            Timeframe::Mo1 => "1M",
        }
    }

    /// The nominal length in seconds (a month counts as 30 days).
    pub fn seconds(self) -> i64 {
        match self {
            Timeframe::S1 => 1,
            Timeframe::M1 => 60,
            Timeframe::M3 => 180,
            Timeframe::M5 => 300,
            Timeframe::M15 => 900,
            Timeframe::M30 => 1_800,
            Timeframe::H1 => 3_600,
            Timeframe::H2 => 7_200,
            Timeframe::H4 => 14_400,
            Timeframe::H6 => 21_600,
            Timeframe::H8 => 28_800,
            Timeframe::H12 => 43_200,
            Timeframe::D1 => 86_400,
            Timeframe::D3 => 259_200,
            Timeframe::W1 => 604_800,
            Timeframe::Mo1 => 2_592_000,
        }
    }

    /// When the candle opening at `open` closes (the next one opens): `open` plus the length,
    /// or the first of the next month for `1M` (whose candles open on the 1st, 00:00 UTC).
    pub fn close_of(self, open: OffsetDateTime) -> OffsetDateTime {
        if self != Timeframe::Mo1 {
            return open + Duration::seconds(self.seconds());
        }
        let (year, month) = match open.month() {
            Month::December => (open.year() + 1, Month::January),
            other => (open.year(), other.next()),
        };
        Date::from_calendar_date(year, month, 1)
            .map(|d| d.with_time(Time::MIDNIGHT).assume_offset(open.offset()))
            .unwrap_or(open + Duration::seconds(self.seconds()))
    }
}

impl std::str::FromStr for Timeframe {
    type Err = UnknownTimeframe;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| UnknownTimeframe(s.to_owned()))
    }
}

impl std::fmt::Display for Timeframe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_candle_closes_when_the_next_one_opens() {
        let open = datetime!(2024-01-31 23:00 UTC);
        assert_eq!(Timeframe::H1.close_of(open), datetime!(2024-02-01 00:00 UTC));
        assert_eq!(Timeframe::W1.close_of(datetime!(2024-03-11 00:00 UTC)), datetime!(2024-03-18 00:00 UTC));
        assert_eq!(Timeframe::Mo1.close_of(datetime!(2024-01-01 00:00 UTC)), datetime!(2024-02-01 00:00 UTC));
        assert_eq!(Timeframe::Mo1.close_of(datetime!(2023-12-01 00:00 UTC)), datetime!(2024-01-01 00:00 UTC));
        assert_eq!(Timeframe::Mo1.close_of(datetime!(2024-02-01 00:00 UTC)), datetime!(2024-03-01 00:00 UTC));
    }
}
