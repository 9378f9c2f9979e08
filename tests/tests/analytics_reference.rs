//! The domain's analytics against the independent Python reference (`tests/reference/analytics.py`)
//! on every fixture of `tests/fixtures/analytics/`: the series and the Decimal figures exactly, the
//! `f64` ratios (Sharpe, Sortino) to 1e-9 relative, and the same reason whenever a figure is null.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use botfleet_tests::analytics::{reference, tests_dir};

use domain::analytics::{AdvancedMetrics, Book, ClosedTrade, Figure, Interval, MetricsConfig, SeriesSpec};
use rust_decimal::Decimal;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const RELATIVE: f64 = 1e-9;

fn time(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a time"), &Rfc3339).expect("RFC 3339")
}

/// A decimal string (Python writes `0E-8` for a zero with 8 places), or `None` (a reason).
fn decimal(v: &Value) -> Option<Decimal> {
    let raw = v.as_str()?;
    Decimal::from_str(raw).or_else(|_| Decimal::from_scientific(raw)).ok()
}

fn dec(v: &Value) -> Decimal {
    decimal(v).unwrap_or_else(|| panic!("a decimal string: {v}"))
}

fn book(fixture: &Value) -> Book {
    let trades = fixture["trades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| ClosedTrade {
            id: t["id"].as_str().unwrap().to_owned(),
            symbol: t["symbol"].as_str().unwrap().to_owned(),
            opened_at: time(&t["opened_at"]),
            closed_at: time(&t["closed_at"]),
            realized_profit: dec(&t["realized_profit"]),
        })
        .collect();
    Book {
        capital: dec(&fixture["capital"]),
        realized: dec(&fixture["realized"]),
        trades,
        unrealized: dec(&fixture["unrealized"]),
    }
}

/// The figure matches the reference: the same value (by `same`), or the same reason.
fn check<T: std::fmt::Debug>(name: &str, got: &Figure<T>, want: &Value, same: impl Fn(&T, &Value) -> bool) {
    match got {
        Ok(value) => assert!(same(value, want), "{name}: we have {value:?}, the reference {want}"),
        Err(why) => assert_eq!(want.as_str(), Some(why.as_str()), "{name}: we say {why}, the reference {want}"),
    }
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= RELATIVE * want.abs().max(f64::MIN_POSITIVE)
}

fn compare(path: &Path) {
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let want = reference(path);
    let (book, now) = (book(&fixture), time(&fixture["now"]));
    let from = fixture["from"].as_str().map(|_| time(&fixture["from"]));
    let config = MetricsConfig { risk_free_rate: dec(&fixture["risk_free_rate"]) };

    let points = book.series(&SeriesSpec { from, now, interval: Interval::Day });
    let want_points = want["points"].as_array().unwrap();
    assert_eq!(points.len(), want_points.len(), "{path:?}: point count");
    for (p, w) in points.iter().zip(want_points) {
        assert_eq!((p.at, p.equity, p.cumulative_pnl), (time(&w["at"]), dec(&w["equity"]), dec(&w["cumulative_pnl"])));
    }

    let m = AdvancedMetrics::compute(&book, from, now, config);
    let ratio = |got: &f64, want: &Value| want.as_f64().is_some_and(|w| close(*got, w));
    let exact = |got: &Decimal, want: &Value| decimal(want) == Some(*got);
    check("sharpe", &m.sharpe, &want["sharpe_ratio"], ratio);
    check("sortino", &m.sortino, &want["sortino_ratio"], ratio);
    check("max_drawdown", &m.max_drawdown, &want["max_drawdown"], |d, w| {
        w.is_object()
            && (d.amount, d.percent, d.peak_at, d.trough_at)
                == (dec(&w["amount"]), dec(&w["percent"]), time(&w["peak_at"]), time(&w["trough_at"]))
    });
    let t = &m.trades;
    assert_eq!((t.trades as u64, t.wins as u64), (want["trades"].as_u64().unwrap(), want["wins"].as_u64().unwrap()));
    assert_eq!((t.gross_profit, t.gross_loss), (dec(&want["gross_profit"]), dec(&want["gross_loss"])));
    check("profit_factor", &t.profit_factor, &want["profit_factor"], exact);
    check("expectancy", &t.expectancy, &want["expectancy"], exact);
    check("win_rate", &t.win_rate, &want["win_rate"], exact);
    check("average_hold", &t.hold.map(|h| h.average_seconds), &want["average_hold_seconds"], exact);
    check("median_hold", &t.hold.map(|h| h.median_seconds), &want["median_hold_seconds"], exact);
    let id = |got: &ClosedTrade, want: &Value| want.as_str() == Some(got.id.as_str());
    check("best_trade", &t.best, &want["best_trade"], id);
    check("worst_trade", &t.worst, &want["worst_trade"], id);
}

#[test]
fn every_fixture_matches_the_python_reference() {
    let dir = tests_dir().join("fixtures/analytics");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    fixtures.retain(|p| p.extension().is_some_and(|e| e == "json"));
    fixtures.sort();
    assert!(fixtures.len() >= 5, "the fixtures are there: {fixtures:?}");
    for path in &fixtures {
        compare(path);
    }
}
