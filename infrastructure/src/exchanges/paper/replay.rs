//! The replayed BTC-USD series: 20,111 real hourly Coinbase candles (2017-07-01 11:00 to
//! 2019-10-17 09:00 UTC) embedded in the binary, and the mapping from wall-clock hours onto them.
//!
//! Mapping: wall hour `w = floor((t - anchor) / 1 h)` (any integer, negative too) is taken modulo
//! `2N` (N = rows). Hours `0..N` play the series forwards (row `w`); hours `N..2N` play it
//! backwards (row `2N - 1 - w`, with open and close swapped). The ping-pong makes the loop
//! continuous: the last forward hour closes where the first backward hour opens, and vice versa.

use std::str::FromStr;
use std::sync::LazyLock;

use rust_decimal::Decimal;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The embedded source file, as published by CryptoDataDownload (newest row first).
const CSV: &str = include_str!("../../../fixtures/market/Coinbase_BTCUSD_1h.csv");

/// One hour of prices (in the series' quote currency) and base-asset volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HourBar {
    /// Open.
    pub open: Decimal,
    /// High.
    pub high: Decimal,
    /// Low.
    pub low: Decimal,
    /// Close.
    pub close: Decimal,
    /// Base-asset volume.
    pub volume: Decimal,
}

impl HourBar {
    /// The same hour played backwards.
    fn reversed(self) -> Self {
        Self { open: self.close, close: self.open, ..self }
    }

    /// Every price multiplied by `factor` (positive) and rounded to 8 decimal places (which keeps
    /// their order); the volume unchanged.
    pub fn scaled(self, factor: Decimal) -> Self {
        let scale = |p: Decimal| (p * factor).round_dp(8);
        Self {
            open: scale(self.open),
            high: scale(self.high),
            low: scale(self.low),
            close: scale(self.close),
            volume: self.volume,
        }
    }
}

/// The series, oldest first.
#[derive(Debug)]
pub(crate) struct Series {
    /// Rows, one per consecutive hour.
    pub bars: Vec<HourBar>,
}

/// The embedded series, parsed on first use.
pub(crate) static BTC_USD: LazyLock<Series> =
    LazyLock::new(|| parse(CSV).expect("the embedded Coinbase_BTCUSD_1h.csv fixture parses (checked by a unit test)"));

impl Series {
    /// The bar played at wall hour `wall_hour` (hours since the anchor; may be negative).
    pub fn at_wall_hour(&self, wall_hour: i64) -> HourBar {
        let n = self.bars.len() as i64;
        let k = wall_hour.rem_euclid(2 * n);
        if k < n {
            self.bars[k as usize]
        } else {
            self.bars[(2 * n - 1 - k) as usize].reversed()
        }
    }
}

/// Why the fixture did not parse.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {reason}")]
pub(crate) struct ParseError {
    line: usize,
    reason: String,
}

/// Parses the CryptoDataDownload layout: a banner line, a header, then
/// `date,symbol,open,high,low,close,volume_btc,volume` rows (date like `2019-10-17 09-AM`).
/// Rows are sorted oldest first and must be consecutive hours.
pub(crate) fn parse(csv: &str) -> Result<Series, ParseError> {
    let mut rows: Vec<(OffsetDateTime, HourBar)> = Vec::new();
    for (index, line) in csv.lines().enumerate().skip(2) {
        let err = |reason: String| ParseError { line: index + 1, reason };
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 7 {
            return Err(err(format!("expected 8 columns, got {}", cols.len())));
        }
        let num = |i: usize| Decimal::from_str(cols[i].trim()).map_err(|e| err(format!("column {i}: {e}")));
        let bar = HourBar { open: num(2)?, high: num(3)?, low: num(4)?, close: num(5)?, volume: num(6)? };
        if bar.low > bar.open.min(bar.close) || bar.high < bar.open.max(bar.close) || bar.low <= Decimal::ZERO {
            return Err(err("inconsistent high/low".into()));
        }
        rows.push((parse_hour(cols[0]).map_err(err)?, bar));
    }
    rows.sort_by_key(|(at, _)| *at);
    if rows.is_empty() {
        return Err(ParseError { line: 0, reason: "no rows".into() });
    }
    for (i, pair) in rows.windows(2).enumerate() {
        if (pair[1].0 - pair[0].0).whole_seconds() != 3_600 {
            return Err(ParseError { line: i + 3, reason: format!("hours not consecutive at {}", pair[0].0) });
        }
    }
    Ok(Series { bars: rows.into_iter().map(|(_, bar)| bar).collect() })
}

/// `2019-10-17 09-AM` (12-hour clock: `12-AM` is midnight, `12-PM` noon) as a UTC instant.
fn parse_hour(raw: &str) -> Result<OffsetDateTime, String> {
    let (date, hour) = raw.trim().split_once(' ').ok_or_else(|| format!("bad date `{raw}`"))?;
    let (h, half) = hour.split_once('-').ok_or_else(|| format!("bad hour `{raw}`"))?;
    let h: u8 = h.parse().map_err(|_| format!("bad hour `{raw}`"))?;
    let h = match half {
        "AM" if (1..=12).contains(&h) => h % 12,
        "PM" if (1..=12).contains(&h) => h % 12 + 12,
        _ => return Err(format!("bad hour `{raw}`")),
    };
    let day = time::Date::parse(date, format_description!("[year]-[month]-[day]")).map_err(|e| e.to_string())?;
    let at = PrimitiveDateTime::new(day, time::Time::from_hms(h, 0, 0).map_err(|e| e.to_string())?);
    Ok(at.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_embedded_fixture_parses_into_consecutive_hours() {
        let series = &*BTC_USD;
        assert_eq!(series.bars.len(), 20_111);
        // The oldest row of the file (its last line): 2017-07-01 11-AM,BTCUSD,2505.56,...
        assert_eq!(series.bars[0].open, Decimal::from_str("2505.56").unwrap());
        assert_eq!(series.bars[20_110].close, Decimal::from_str("8035.88").unwrap());
    }

    #[test]
    fn twelve_hour_clock_is_read_correctly() {
        assert_eq!(parse_hour("2019-10-17 12-AM").unwrap(), datetime!(2019-10-17 00:00 UTC));
        assert_eq!(parse_hour("2019-10-17 12-PM").unwrap(), datetime!(2019-10-17 12:00 UTC));
        assert_eq!(parse_hour("2019-10-17 01-PM").unwrap(), datetime!(2019-10-17 13:00 UTC));
        assert!(parse_hour("2019-10-17 13-PM").is_err());
    }

    #[test]
    fn the_ping_pong_loop_is_continuous_and_periodic() {
        let s = &*BTC_USD;
        let n = s.bars.len() as i64;
        assert_eq!(s.at_wall_hour(n - 1).close, s.at_wall_hour(n).open);
        assert_eq!(s.at_wall_hour(2 * n - 1).close, s.at_wall_hour(0).open);
        assert_eq!(s.at_wall_hour(-1), s.at_wall_hour(2 * n - 1));
        assert_eq!(s.at_wall_hour(5), s.at_wall_hour(5 + 2 * n));
        assert_eq!(s.at_wall_hour(n).high, s.bars[(n - 1) as usize].high);
    }

    #[test]
    fn gaps_and_bad_rows_are_refused() {
        let head = "banner\ndate,symbol,open,high,low,close,volume_btc,volume\n";
        let gap = format!("{head}2019-10-17 09-AM,BTCUSD,1,2,1,2,1,1\n2019-10-17 07-AM,BTCUSD,1,2,1,2,1,1\n");
        assert!(parse(&gap).is_err());
        let bad = format!("{head}2019-10-17 09-AM,BTCUSD,1,2,1.5,2,1,1\n");
        assert!(parse(&bad).is_err());
        let ok = format!("{head}2019-10-17 09-AM,BTCUSD,1,2,1,2,1,1\n2019-10-17 08-AM,BTCUSD,1,2,1,1,1,1\n");
        let closes: Vec<_> = parse(&ok).unwrap().bars.iter().map(|b| b.close).collect();
        assert_eq!(closes, [Decimal::ONE, Decimal::TWO], "oldest first");
    }
}
