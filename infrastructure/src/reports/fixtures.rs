//! Fixture report documents, built from fixed formulas (no randomness): the sample the tests and
//! `docs/images/report-sample.png` use, and documents of any size for the renderer benchmark.

use domain::reports::{
    BarChart, ChartBar, ChartPoint, ChartSeries, ChartStyle, FigureGroup, KeyFigure, LineChart, ReportDocument,
    ReportSubtitle, Section, Table,
};
use rust_decimal::Decimal;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const STRATEGIES: [&str; 4] = ["smart", "candle", "dca", "channel"];
/// When the fixture report was generated; its series end the day before.
pub const GENERATED_AT: OffsetDateTime = datetime!(2026-12-04 18:30 UTC);

/// Cents as a decimal with two places.
fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// The sample report: 8 bots and 90 daily points, with gains and losses.
pub fn sample() -> ReportDocument {
    sized(8, 90)
}

/// A report with `bots` bot rows and `days` daily points per series (the benchmark's worst case
/// is 50 bots and a year).
pub fn sized(bots: usize, days: usize) -> ReportDocument {
    let start = GENERATED_AT - Duration::days(days as i64);
    let day = |i: usize| start + Duration::days(i as i64);
    // equity: a drift with a slow wave, in cents, so the series has drawdowns
    let equity: Vec<i64> =
        (0..days).map(|i| 1_000_000 + 1_500 * i as i64 + (((i as f64) / 9.0).sin() * 60_000.0) as i64).collect();
    let btc: Vec<i64> =
        (0..days).map(|i| 1_000_000 + 900 * i as i64 - (((i as f64) / 15.0).cos() * 45_000.0) as i64).collect();
    let mut peak = i64::MIN;
    let drawdown: Vec<i64> = equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            e - peak
        })
        .collect();
    let series = |name: &str, values: &[i64]| ChartSeries {
        name: name.to_owned(),
        points: values.iter().enumerate().map(|(i, &v)| ChartPoint { at: day(i), value: money(v) }).collect(),
    };
    let per_strategy: Vec<i64> = vec![184_250, -23_075, 96_010, 41_500];
    ReportDocument {
        title: "Trading report".to_owned(),
        subtitle: ReportSubtitle {
            user: "ana@example.com".to_owned(),
            plan: "MAX".to_owned(),
            window: format!("{} to {} (unlimited)", start.date(), GENERATED_AT.date()),
            generated_at: GENERATED_AT,
        },
        sections: vec![
            Section::Figures(summary(
                "Summary (USDT)",
                &["10000.00", "2450.75", "2986.85", "-112.40", "38.12", "58.33", "1212", "47", "6"],
            )),
            Section::Figures(summary(
                "Summary (BRL)",
                &["5000.00", "0.00", "-75.10", "0.00", "4.90", "40.00", "25", "3", "0"],
            )),
            Section::Figures(FigureGroup {
                heading: "Advanced metrics (USDT)".to_owned(),
                figures: vec![
                    KeyFigure::new("Sharpe ratio", "1.84"),
                    KeyFigure::new("Sortino ratio", "2.61"),
                    KeyFigure::new("Maximum drawdown", "-1176.30"),
                    KeyFigure::new("Drawdown from / to", "2026-09-18 / 2026-10-14"),
                    KeyFigure::new("Profit factor", "1.97"),
                    KeyFigure::new("Expectancy per trade", "2.46"),
                    KeyFigure::new("Average hold", "7h 12m"),
                    KeyFigure::new("Median hold", "3h 05m"),
                    KeyFigure::new("Best trade", "412.09"),
                    KeyFigure::new("Worst trade", "-198.77"),
                ],
            }),
            Section::LineChart(LineChart {
                title: "Equity against BTC buy and hold".to_owned(),
                y_label: "Value (USDT)".to_owned(),
                style: ChartStyle::Lines,
                series: vec![series("Equity", &equity), series("BTC buy and hold", &btc)],
            }),
            Section::LineChart(LineChart {
                title: "Drawdown".to_owned(),
                y_label: "Below the peak (USDT)".to_owned(),
                style: ChartStyle::Area,
                series: vec![series("Drawdown", &drawdown)],
            }),
            Section::BarChart(BarChart {
                title: "Realized P&L per strategy".to_owned(),
                y_label: "Realized P&L (USDT)".to_owned(),
                bars: STRATEGIES
                    .iter()
                    .zip(&per_strategy)
                    .map(|(s, &v)| ChartBar { label: s.to_string(), value: money(v) })
                    .collect(),
            }),
            Section::Table(
                Table::new(
                    "Per strategy (USDT)",
                    strings(&["Strategy", "Bots", "Trades", "Win rate %", "Realized P&L", "Fees"]),
                    STRATEGIES
                        .iter()
                        .zip(&per_strategy)
                        .enumerate()
                        .map(|(i, (s, &v))| {
                            let n = i as i64 + 1;
                            vec![
                                s.to_string(),
                                (bots / 4 + i % 2).to_string(),
                                (97 * n).to_string(),
                                format!("{}.{:02}", 40 + 5 * n, 7 * n),
                                money(v).to_string(),
                                money(310 * n + 12).to_string(),
                            ]
                        })
                        .collect(),
                )
                .expect("every row has six cells"),
            ),
            Section::Table(bot_table(bots)),
        ],
    }
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// A summary group from its nine figures, in the summary's order.
fn summary(heading: &str, values: &[&str; 9]) -> FigureGroup {
    let labels = [
        "Total invested",
        "In positions (cost)",
        "Realized P&L",
        "Unrealized P&L",
        "Fees paid",
        "Win rate %",
        "Trades",
        "Active bots",
        "Pending orders",
    ];
    FigureGroup {
        heading: heading.to_owned(),
        figures: labels.iter().zip(values).map(|(l, v)| KeyFigure::new(*l, *v)).collect(),
    }
}

/// One row per bot: name, strategy, symbol, mode, trades, win rate, realized P&L.
fn bot_table(bots: usize) -> Table {
    let rows = (0..bots)
        .map(|i| {
            let n = i as i64;
            let pnl = (n * 7_919 % 50_000) - 18_000;
            vec![
                format!("bot-{:02} {}", i + 1, STRATEGIES[i % 4]),
                STRATEGIES[i % 4].to_owned(),
                ["BTCUSDT", "ETHUSDT", "SOLUSDT"][i % 3].to_owned(),
                if i % 5 == 4 { "paper" } else { "live" }.to_owned(),
                (n * 13 % 90 + 3).to_string(),
                format!("{}.{:02}", 30 + n * 11 % 50, n * 37 % 100),
                money(pnl).to_string(),
            ]
        })
        .collect();
    Table::new(
        "Per bot (USDT)",
        strings(&["Bot", "Strategy", "Symbol", "Mode", "Trades", "Win rate %", "Realized P&L"]),
        rows,
    )
    .expect("every row has seven cells")
}
