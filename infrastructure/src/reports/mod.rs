//! Reports: the PDF adapter of `domain::reports::ReportRenderer` (printpdf, charts drawn as
//! vector paths by this module, DejaVu Sans embedded), and fixture documents for its tests, the
//! renderer benchmark and the sample page in `docs/reports-pdf.md`.

mod canvas;
mod chart;
pub mod fixtures;
mod fonts;
mod layout;
mod pdf;
mod scale;
#[cfg(test)]
mod tests;

pub use chart::NO_DATA;
pub use pdf::PdfReportRenderer;
