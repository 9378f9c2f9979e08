//! The report document model: what a report says, in order, with no layout in it. Figures are
//! strings the use case formatted (decimal strings with their currency), so every renderer shows
//! the same text; chart points keep their `Decimal` values, which a renderer only scales.

use rust_decimal::Decimal;
use time::OffsetDateTime;

/// A whole report: a title, who and what it covers, then its sections in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDocument {
    /// The report's title, e.g. "Trading report".
    pub title: String,
    /// Who the report is for, the plan, the window it covers and when it was generated.
    pub subtitle: ReportSubtitle,
    /// The sections, in reading order.
    pub sections: Vec<Section>,
}

/// The line under the title: whose report it is and what it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSubtitle {
    /// The user, as shown to them (e-mail or name).
    pub user: String,
    /// The plan's name, e.g. "MAX".
    pub plan: String,
    /// The history window applied, in words, e.g. "2026-01-01 to 2026-12-31 (unlimited)".
    pub window: String,
    /// When the report was generated.
    pub generated_at: OffsetDateTime,
}

/// One block of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Section {
    /// Labelled figures, e.g. the summary or the advanced metrics.
    Figures(FigureGroup),
    /// A table, e.g. per-strategy or per-bot results.
    Table(Table),
    /// A time series chart, e.g. equity against BTC, or drawdown.
    LineChart(LineChart),
    /// One bar per category, e.g. realized P&L per strategy.
    BarChart(BarChart),
}

/// A heading over labelled figures.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureGroup {
    /// The section heading.
    pub heading: String,
    /// The figures, in order.
    pub figures: Vec<KeyFigure>,
}

/// One labelled figure: "Realized P&L (USDT)" = "1234.56".
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigure {
    /// What the figure is.
    pub label: String,
    /// The figure, formatted by the use case (a decimal string, "n/a", a date...).
    pub value: String,
}

impl KeyFigure {
    /// A figure from its label and formatted value.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self { label: label.into(), value: value.into() }
    }
}

/// A table whose rows all have one cell per header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    heading: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Why a document part could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// A table has no column.
    #[error("a table needs at least one column")]
    NoColumns,
    /// A row has a different number of cells than the table has headers.
    #[error("row {row} has {found} cells, the table has {expected} columns")]
    RaggedRow {
        /// The row's index, from 0.
        row: usize,
        /// The number of headers.
        expected: usize,
        /// The number of cells in the row.
        found: usize,
    },
}

impl Table {
    /// A table under `heading`. Errors: `NoColumns`, `RaggedRow` when a row's width differs from
    /// the headers'.
    pub fn new(
        heading: impl Into<String>,
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    ) -> Result<Self, DocumentError> {
        if headers.is_empty() {
            return Err(DocumentError::NoColumns);
        }
        if let Some((row, cells)) = rows.iter().enumerate().find(|(_, r)| r.len() != headers.len()) {
            return Err(DocumentError::RaggedRow { row, expected: headers.len(), found: cells.len() });
        }
        Ok(Self { heading: heading.into(), headers, rows })
    }

    /// The section heading.
    pub fn heading(&self) -> &str {
        &self.heading
    }

    /// The column headers.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The rows, each with one cell per header.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }
}

/// How a line chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartStyle {
    /// Lines only.
    #[default]
    Lines,
    /// Lines with the area between each line and zero shaded (drawdown).
    Area,
}

/// A chart of values over time, one line per series, on shared axes.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// The chart's title (its section heading).
    pub title: String,
    /// The vertical axis label, with its unit, e.g. "Equity (USDT)".
    pub y_label: String,
    /// Lines or shaded areas.
    pub style: ChartStyle,
    /// The series; a chart with no point at all says so instead of drawing axes.
    pub series: Vec<ChartSeries>,
}

/// One named line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    /// The legend's name for it, e.g. "Equity" or "BTC buy and hold".
    pub name: String,
    /// The points, in time order.
    pub points: Vec<ChartPoint>,
}

/// A value at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartPoint {
    /// When.
    pub at: OffsetDateTime,
    /// The value, in the chart's unit.
    pub value: Decimal,
}

/// A bar chart: one bar per category, positive or negative.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// The chart's title (its section heading).
    pub title: String,
    /// The vertical axis label, with its unit.
    pub y_label: String,
    /// The bars, in order.
    pub bars: Vec<ChartBar>,
}

/// One bar: a category and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBar {
    /// The category, e.g. "dca".
    pub label: String,
    /// The value, in the chart's unit.
    pub value: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_table_keeps_rows_as_wide_as_its_headers() {
        let table = Table::new("Bots", strings(&["bot", "P&L"]), vec![strings(&["a", "1.00"])]).unwrap();
        assert_eq!(table.heading(), "Bots");
        assert_eq!(table.rows().len(), 1);
    }

    #[test]
    fn a_ragged_row_is_refused_naming_it() {
        let rows = vec![strings(&["a", "1"]), strings(&["b"])];
        assert_eq!(
            Table::new("Bots", strings(&["bot", "P&L"]), rows),
            Err(DocumentError::RaggedRow { row: 1, expected: 2, found: 1 })
        );
    }

    #[test]
    fn a_table_without_columns_is_refused() {
        assert_eq!(Table::new("Bots", vec![], vec![]), Err(DocumentError::NoColumns));
    }
}
