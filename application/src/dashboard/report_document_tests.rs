//! Unit tests of the report document: the figures written as the dashboard's JSON writes them,
//! BTC beside the equity when the plan compares, and the drawdown against the running peak.

use domain::analytics::{AdvancedMetrics, Drawdown, EquityPoint, HoldPoint, Interval, TradeStats, Unavailable};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::reports::{ChartStyle, Section};
use domain::subscriptions::{HistoryWindow, Plan};
use rust_decimal_macros::dec;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::analytics::{AppliedWindow, Benchmark, BookKey, BookMetrics, BookSeries, Comparison, WindowChoice};
use crate::dashboard::{CurrencySummary, Figures, Summary};
use domain::bots::BotKind;

const NOW: OffsetDateTime = datetime!(2026-03-04 00:00 UTC);

fn key() -> BookKey {
    BookKey { mode: ContextMode::Paper, exchange: ExchangeId::Binance, quote: "USDT".to_owned() }
}

fn window() -> AppliedWindow {
    let history_window = HistoryWindow { days: None, from: None };
    AppliedWindow { history_window, window: WindowChoice::Month, from: Some(NOW - Duration::days(30)), to: NOW }
}

fn series(equity: &[rust_decimal::Decimal]) -> BookSeries {
    let at = |i: usize| NOW - Duration::days((equity.len() - 1 - i) as i64);
    let points =
        equity.iter().enumerate().map(|(i, e)| EquityPoint { at: at(i), equity: *e, cumulative_pnl: *e - equity[0] });
    let held = equity.iter().enumerate().map(|(i, _)| HoldPoint {
        at: at(i),
        price: dec!(60000),
        equity: equity[0],
        return_percent: dec!(0),
    });
    BookSeries {
        key: key(),
        bots: 2,
        capital: dec!(1000),
        realized_pnl: dec!(12.5),
        unrealized_pnl: dec!(-3.25),
        points: points.collect(),
        comparison: Ok(Benchmark { symbol: "BTC-USDT".to_owned(), points: held.collect() }),
    }
}

fn metrics() -> BookMetrics {
    let trades = TradeStats {
        trades: 4,
        wins: 3,
        win_rate: Ok(dec!(75.00)),
        gross_profit: dec!(20),
        gross_loss: dec!(7.5),
        profit_factor: Ok(dec!(2.66666667)),
        expectancy: Ok(dec!(3.125)),
        hold: Err(Unavailable::NoTrades),
        best: Err(Unavailable::NoTrades),
        worst: Err(Unavailable::NoTrades),
    };
    let max_drawdown = Ok(Drawdown { amount: dec!(10), percent: dec!(0.98039216), peak_at: NOW, trough_at: NOW });
    let metrics = AdvancedMetrics {
        daily_returns: Ok(vec![]),
        sharpe: Ok(1.25),
        sortino: Err(Unavailable::NoDownside),
        max_drawdown,
        trades,
    };
    BookMetrics { key: key(), metrics }
}

fn document(equity: &[rust_decimal::Decimal]) -> ReportDocument {
    let performance = Performance {
        window: window(),
        interval: Interval::Day,
        comparison: Comparison::Included,
        books: vec![series(equity)],
    };
    let metrics = MetricsReport { window: window(), risk_free_rate: dec!(0), books: vec![metrics()] };
    let smart =
        Figures { bots: 2, trades: 4, realized_pnl: dec!(12.50), win_rate: Some(dec!(75.00)), ..Figures::default() };
    let figures = Figures { total_invested: dec!(100.000), unrealized_pnl: None, ..smart.clone() };
    let currency = CurrencySummary {
        mode: ContextMode::Paper,
        quote: "USDT".to_owned(),
        figures,
        by_strategy: vec![(BotKind::Smart, smart)],
    };
    let summary = Summary { as_of: NOW, currencies: vec![currency], contexts: vec![], prices: vec![] };
    report_document(&ReportInput {
        user: "ana@example.com",
        plan: Plan::Max,
        summary: &summary,
        performance: &performance,
        metrics: &metrics,
        generated_at: NOW,
    })
}

fn figures(doc: &ReportDocument) -> Vec<(String, String)> {
    let groups = doc.sections.iter().filter_map(|s| if let Section::Figures(g) = s { Some(g) } else { None });
    groups.flat_map(|g| g.figures.iter().map(|f| (f.label.clone(), f.value.clone()))).collect()
}

#[test]
fn figures_are_written_as_the_dashboard_writes_them() {
    let doc = document(&[dec!(1000), dec!(1020), dec!(1010)]);
    assert_eq!(doc.subtitle.plan, "MAX");
    assert_eq!(doc.subtitle.window, "2026-02-02 to 2026-03-04 (30d, unlimited history)");
    let figures = figures(&doc);
    let find = |label: &str| figures.iter().find(|(l, _)| l == label).map(|(_, v)| v.as_str());
    assert_eq!(find("Total invested (USDT)"), Some("100"), "normalized, as the summary writes it");
    assert_eq!(find("Realized P&L (USDT)"), Some("12.5"));
    assert_eq!(find("Unrealized P&L (USDT)"), Some(UNAVAILABLE), "the summary's: no price");
    assert_eq!(find("Capital (USDT)"), Some("1000"));
    assert_eq!(find("Win rate (%)"), Some("75.00"), "two places kept, as the JSON string has them");
    assert_eq!(find("Sharpe ratio"), Some(serde_json::json!(1.25_f64).to_string().as_str()));
    assert_eq!(find("Sortino ratio"), Some(UNAVAILABLE));
    assert_eq!(find("Profit factor"), Some("2.66666667"));
    assert_eq!(find("Max drawdown (%)"), Some("0.98039216"));
    assert_eq!(find("Best trade (USDT)"), Some(UNAVAILABLE));
}

#[test]
fn the_equity_chart_has_btc_beside_it_and_the_drawdown_follows_the_running_peak() {
    let doc = document(&[dec!(1000), dec!(1020), dec!(1010), dec!(1030)]);
    let charts: Vec<_> =
        doc.sections.iter().filter_map(|s| if let Section::LineChart(c) = s { Some(c) } else { None }).collect();
    assert_eq!(charts.len(), 2);
    let tables: Vec<_> =
        doc.sections.iter().filter_map(|s| if let Section::Table(t) = s { Some(t) } else { None }).collect();
    let strategies: Vec<_> = tables[0].rows().iter().map(|r| (r[0].as_str(), r[4].as_str())).collect();
    assert_eq!(strategies, [("smart", "12.5"), ("candle", "0"), ("dca", "0"), ("channel", "0")]);
    let bars = doc.sections.iter().filter(|s| matches!(s, Section::BarChart(_))).count();
    assert_eq!(bars, 1, "realized P&L per strategy");
    let names: Vec<_> = charts[0].series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Equity", "BTC-USDT buy and hold"]);
    assert_eq!(charts[1].style, ChartStyle::Area);
    let drawdown: Vec<_> = charts[1].series[0].points.iter().map(|p| p.value).collect();
    assert_eq!(drawdown, [dec!(0), dec!(0), dec!(-10), dec!(0)]);
}
