//! Reports: a plain, renderer-independent model of a report document (headings, figures, tables,
//! charts) and the port that renders it (`ReportRenderer`; the PDF adapter lives in
//! `infrastructure::reports`). Use cases fill the model from their figures, as decimal strings
//! already formatted; a renderer only lays it out and never computes or reformats a figure.

mod document;
mod renderer;

pub use document::{
    BarChart, ChartBar, ChartPoint, ChartSeries, ChartStyle, DocumentError, FigureGroup, KeyFigure, LineChart,
    ReportDocument, ReportSubtitle, Section, Table,
};
pub use renderer::{RenderError, ReportRenderer};
