//! Axis scales for the charts: "nice" value ticks (1, 2, 2.5 or 5 times a power of ten) with
//! labels of just enough decimals, and evenly spaced date ticks.

use time::{macros::format_description, OffsetDateTime};

/// A value axis: its range (covering the data) and its ticks with their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueAxis {
    /// The lowest value drawn.
    pub min: f64,
    /// The highest value drawn.
    pub max: f64,
    /// Tick values and their labels, bottom up.
    pub ticks: Vec<(f64, String)>,
}

/// A nice step close to `span / target`, and the decimals its multiples need.
fn nice_step(span: f64, target: usize) -> (f64, usize) {
    let raw = span / target.max(1) as f64;
    let exponent = raw.log10().floor() as i32;
    let fraction = raw / 10f64.powi(exponent);
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().find(|n| fraction <= *n).unwrap_or(10.0);
    let decimals = (-exponent + i32::from(nice == 2.5)).max(0) as usize;
    (nice * 10f64.powi(exponent), decimals)
}

/// About `target` ticks covering [lo, hi]; a flat or empty range is widened so the axis is never
/// degenerate (one point, or a series of equal values, still gets ticks).
pub fn value_axis(lo: f64, hi: f64, target: usize) -> ValueAxis {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && lo <= hi { (lo, hi) } else { (0.0, 1.0) };
    if hi - lo < f64::EPSILON * lo.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let (step, decimals) = nice_step(hi - lo, target);
    let min = (lo / step).floor() * step;
    let max = (hi / step).ceil() * step;
    let count = ((max - min) / step).round() as usize;
    let ticks = (0..=count)
        .map(|i| {
            let v = min + step * i as f64;
            // -0.00 reads as a bug on an axis
            let v = if v.abs() < step / 1e6 { 0.0 } else { v };
            (v, format!("{v:.decimals$}"))
        })
        .collect();
    ValueAxis { min, max, ticks }
}

/// About `target` evenly spaced date ticks from `from` to `to` (one when they are equal), as
/// (unix seconds, label): dates, with the time of day when the span is under three days.
pub fn time_ticks(from: OffsetDateTime, to: OffsetDateTime, target: usize) -> Vec<(f64, String)> {
    let (a, b) = (from.unix_timestamp() as f64, to.unix_timestamp() as f64);
    let short = b - a < 3.0 * 86_400.0;
    let label = |t: f64| {
        let at = OffsetDateTime::from_unix_timestamp(t as i64).unwrap_or(from);
        let text = if short {
            at.format(format_description!("[month]-[day] [hour]:[minute]"))
        } else {
            at.format(format_description!("[year]-[month]-[day]"))
        };
        text.unwrap_or_default()
    };
    if b <= a {
        return vec![(a, label(a))];
    }
    let n = target.max(2);
    (0..n).map(|i| a + (b - a) * i as f64 / (n - 1) as f64).map(|t| (t, label(t))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn labels(axis: &ValueAxis) -> Vec<&str> {
        axis.ticks.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn ticks_are_nice_and_cover_the_data() {
        let axis = value_axis(3.0, 97.0, 5);
        assert_eq!(labels(&axis), ["0", "20", "40", "60", "80", "100"]);
        let axis = value_axis(-0.013, 0.042, 5);
        assert_eq!((axis.min, axis.max), (-0.02, 0.06));
        assert_eq!(labels(&axis), ["-0.02", "0.00", "0.02", "0.04", "0.06"]);
        assert_eq!(labels(&value_axis(0.0, 1.0, 4)), ["0.00", "0.25", "0.50", "0.75", "1.00"]);
        assert_eq!(labels(&value_axis(0.0, 100.0, 4)), ["0", "25", "50", "75", "100"]);
    }

    #[test]
    fn a_flat_or_single_value_still_gets_an_axis() {
        let axis = value_axis(1000.0, 1000.0, 5);
        assert!(axis.min < 1000.0 && axis.max > 1000.0 && axis.ticks.len() >= 2);
        let zero = value_axis(0.0, 0.0, 5);
        assert!(zero.min < 0.0 && zero.max > 0.0);
        let nan = value_axis(f64::NAN, 1.0, 5);
        assert_eq!((nan.min, nan.max), (0.0, 1.0));
    }

    #[test]
    fn date_ticks_span_the_window() {
        let ticks = time_ticks(datetime!(2026-01-01 0:00 UTC), datetime!(2026-12-31 0:00 UTC), 5);
        assert_eq!(ticks.len(), 5);
        assert_eq!(ticks[0].1, "2026-01-01");
        assert_eq!(ticks[4].1, "2026-12-31");
        let one = time_ticks(datetime!(2026-01-01 12:00 UTC), datetime!(2026-01-01 12:00 UTC), 5);
        assert_eq!(one, vec![(one[0].0, "01-01 12:00".to_owned())]);
    }
}
