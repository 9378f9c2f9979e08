//! Builds the PDF report's document (MAX) from the analytics: per book (mode, exchange, quote
//! currency, never converted into each other) its figures, its advanced metrics, its equity
//! against BTC buy-and-hold and its drawdown. Every figure is written exactly as the dashboard's
//! JSON writes it (`Decimal`'s text, the ratios as JSON numbers), so the PDF and the API agree.

use domain::analytics::Figure;
use domain::reports::{
    BarChart, ChartBar, ChartPoint, ChartSeries, ChartStyle, FigureGroup, KeyFigure, LineChart, ReportDocument,
    ReportSubtitle, Section, Table,
};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{CurrencySummary, Figures, Summary, STRATEGIES};
use crate::analytics::{AppliedWindow, BookKey, BookMetrics, BookSeries, MetricsReport, Performance};

/// What the report is built from.
#[derive(Debug)]
pub struct ReportInput<'a> {
    /// The user, as shown to them.
    pub user: &'a str,
    /// Their plan.
    pub plan: Plan,
    /// The summary (per mode and quote currency, and per strategy).
    pub summary: &'a Summary,
    /// The series (equity, BTC buy-and-hold).
    pub performance: &'a Performance,
    /// The advanced metrics.
    pub metrics: &'a MetricsReport,
    /// When the report is generated.
    pub generated_at: OffsetDateTime,
}

/// The text a figure shows when it has no value.
pub const UNAVAILABLE: &str = "n/a";

/// The report's document.
pub fn report_document(input: &ReportInput<'_>) -> ReportDocument {
    let mut sections = Vec::new();
    for c in &input.summary.currencies {
        sections.push(Section::Figures(summary_figures(c)));
        sections.extend(strategy_sections(c));
    }
    for series in &input.performance.books {
        sections.push(Section::Figures(book_figures(series)));
        if let Some(m) = input.metrics.books.iter().find(|m| m.key == series.key) {
            sections.push(Section::Figures(metric_figures(m)));
        }
        sections.push(Section::LineChart(equity_chart(series)));
        sections.push(Section::LineChart(drawdown_chart(series)));
    }
    ReportDocument {
        title: "Trading report".to_owned(),
        subtitle: ReportSubtitle {
            user: input.user.to_owned(),
            plan: json_text(&input.plan),
            window: window_text(&input.metrics.window),
            generated_at: input.generated_at,
        },
        sections,
    }
}

/// "paper binance USDT".
pub fn book_label(key: &BookKey) -> String {
    format!("{} {} {}", json_text(&key.mode), json_text(&key.exchange), key.quote)
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => UNAVAILABLE.to_owned(),
    }
}

fn window_text(w: &AppliedWindow) -> String {
    let day = |t: OffsetDateTime| t.date().to_string();
    let from = w.from.map_or_else(|| "the first trade".to_owned(), day);
    let plan = w.history_window.days.map_or_else(|| "unlimited history".to_owned(), |d| format!("{d} days of history"));
    format!("{from} to {} ({}, {plan})", day(w.to), w.window.as_str())
}

fn mode_quote(c: &CurrencySummary) -> String {
    format!("{} {}", json_text(&c.mode), c.quote)
}

/// The summary's figures as `GET /api/dashboard/summary` writes them (normalized decimals).
fn summary_figures(c: &CurrencySummary) -> FigureGroup {
    let (f, quote) = (&c.figures, &c.quote);
    let money = |d: Decimal| d.normalize().to_string();
    FigureGroup {
        heading: format!("Summary: {}", mode_quote(c)),
        figures: vec![
            KeyFigure::new(format!("Total invested ({quote})"), money(f.total_invested)),
            KeyFigure::new(format!("In positions ({quote})"), money(f.total_in_positions)),
            KeyFigure::new(format!("Realized P&L ({quote})"), money(f.realized_pnl)),
            KeyFigure::new(format!("Unrealized P&L ({quote})"), f.unrealized_pnl.map_or(UNAVAILABLE.to_owned(), money)),
            KeyFigure::new(format!("Fees paid ({quote})"), money(f.fees_paid)),
            KeyFigure::new("Win rate (%)", f.win_rate.map_or(UNAVAILABLE.to_owned(), |w| w.to_string())),
            KeyFigure::new("Trades", f.trades.to_string()),
            KeyFigure::new("Active bots", format!("{} of {}", f.active_bots, f.bots)),
            KeyFigure::new("Pending orders", f.pending_orders.to_string()),
        ],
    }
}

/// Per strategy: a table of its figures and a bar chart of its realized P&L.
fn strategy_sections(c: &CurrencySummary) -> Vec<Section> {
    let of = |kind| c.by_strategy.iter().find(|(k, _)| *k == kind).map(|(_, f)| f);
    let zero = Figures::default();
    let rows: Vec<(String, &Figures)> = STRATEGIES.iter().map(|k| (k.to_string(), of(*k).unwrap_or(&zero))).collect();
    let money = |d: Decimal| d.normalize().to_string();
    let headers = ["Strategy", "Bots", "Trades", "Win rate (%)", "Realized P&L", "Unrealized P&L", "Fees"];
    let cells = rows
        .iter()
        .map(|(name, f)| {
            vec![
                name.clone(),
                f.bots.to_string(),
                f.trades.to_string(),
                f.win_rate.map_or(UNAVAILABLE.to_owned(), |w| w.to_string()),
                money(f.realized_pnl),
                f.unrealized_pnl.map_or(UNAVAILABLE.to_owned(), money),
                money(f.fees_paid),
            ]
        })
        .collect();
    let heading = format!("Per strategy: {} (amounts in {})", mode_quote(c), c.quote);
    let mut sections = Vec::new();
    if let Ok(table) = Table::new(heading, headers.iter().map(|h| (*h).to_owned()).collect(), cells) {
        sections.push(Section::Table(table));
    }
    sections.push(Section::BarChart(BarChart {
        title: format!("Realized P&L per strategy: {}", mode_quote(c)),
        y_label: c.quote.clone(),
        bars: rows.iter().map(|(name, f)| ChartBar { label: name.clone(), value: f.realized_pnl }).collect(),
    }));
    sections
}

fn book_figures(s: &BookSeries) -> FigureGroup {
    let quote = &s.key.quote;
    FigureGroup {
        heading: format!("Series: {}", book_label(&s.key)),
        figures: vec![
            KeyFigure::new("Bots", s.bots.to_string()),
            KeyFigure::new(format!("Capital ({quote})"), s.capital.to_string()),
            KeyFigure::new(format!("Realized P&L ({quote})"), s.realized_pnl.to_string()),
            KeyFigure::new(format!("Unrealized P&L ({quote})"), s.unrealized_pnl.to_string()),
        ],
    }
}

fn shown<T>(figure: &Figure<T>, text: impl FnOnce(&T) -> String) -> String {
    figure.as_ref().map_or_else(|_| UNAVAILABLE.to_owned(), text)
}

/// A ratio as `serde_json` writes it in the metrics response.
fn ratio(x: &f64) -> String {
    serde_json::Number::from_f64(*x).map_or_else(|| UNAVAILABLE.to_owned(), |n| n.to_string())
}

fn metric_figures(b: &BookMetrics) -> FigureGroup {
    let (m, t, quote) = (&b.metrics, &b.metrics.trades, &b.key.quote);
    let dec = |d: &Decimal| d.to_string();
    FigureGroup {
        heading: format!("Advanced metrics: {}", book_label(&b.key)),
        figures: vec![
            KeyFigure::new("Trades", t.trades.to_string()),
            KeyFigure::new("Winning trades", t.wins.to_string()),
            KeyFigure::new("Win rate (%)", shown(&t.win_rate, dec)),
            KeyFigure::new("Sharpe ratio", shown(&m.sharpe, ratio)),
            KeyFigure::new("Sortino ratio", shown(&m.sortino, ratio)),
            KeyFigure::new(format!("Max drawdown ({quote})"), shown(&m.max_drawdown, |d| d.amount.to_string())),
            KeyFigure::new("Max drawdown (%)", shown(&m.max_drawdown, |d| d.percent.to_string())),
            KeyFigure::new("Profit factor", shown(&t.profit_factor, dec)),
            KeyFigure::new(format!("Gross profit ({quote})"), t.gross_profit.to_string()),
            KeyFigure::new(format!("Gross loss ({quote})"), t.gross_loss.to_string()),
            KeyFigure::new(format!("Expectancy ({quote})"), shown(&t.expectancy, dec)),
            KeyFigure::new("Average hold (s)", shown(&t.hold, |h| h.average_seconds.to_string())),
            KeyFigure::new("Median hold (s)", shown(&t.hold, |h| h.median_seconds.to_string())),
            KeyFigure::new(format!("Best trade ({quote})"), shown(&t.best, |x| x.realized_profit.to_string())),
            KeyFigure::new(format!("Worst trade ({quote})"), shown(&t.worst, |x| x.realized_profit.to_string())),
        ],
    }
}

fn equity_chart(s: &BookSeries) -> LineChart {
    let equity = s.points.iter().map(|p| ChartPoint { at: p.at, value: p.equity }).collect();
    let mut series = vec![ChartSeries { name: "Equity".to_owned(), points: equity }];
    if let Ok(b) = &s.comparison {
        let held = b.points.iter().map(|p| ChartPoint { at: p.at, value: p.equity }).collect();
        series.push(ChartSeries { name: format!("{} buy and hold", b.symbol), points: held });
    }
    LineChart {
        title: format!("Equity against BTC: {}", book_label(&s.key)),
        y_label: s.key.quote.clone(),
        style: ChartStyle::Lines,
        series,
    }
}

/// Equity minus its running peak at each point (<= 0), in the quote currency.
fn drawdown_chart(s: &BookSeries) -> LineChart {
    let mut peak: Option<Decimal> = None;
    let points = s
        .points
        .iter()
        .map(|p| {
            let top = peak.map_or(p.equity, |q| q.max(p.equity));
            peak = Some(top);
            ChartPoint { at: p.at, value: p.equity - top }
        })
        .collect();
    LineChart {
        title: format!("Drawdown: {}", book_label(&s.key)),
        y_label: s.key.quote.clone(),
        style: ChartStyle::Area,
        series: vec![ChartSeries { name: "Drawdown".to_owned(), points }],
    }
}

#[cfg(test)]
#[path = "report_document_tests.rs"]
mod tests;
