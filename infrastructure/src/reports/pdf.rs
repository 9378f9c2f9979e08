//! The PDF adapter of `ReportRenderer`: A4 pages drawn with printpdf, DejaVu Sans embedded and
//! subset (text extractable as written), charts as vector paths, a footer with page numbers.

use domain::reports::{RenderError, ReportDocument, ReportRenderer, Section};
use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions};

use super::canvas::Canvas;
use super::fonts::{Typeface, Weight};
use super::{chart, layout};

/// Renders report documents to PDF. Holds the parsed typeface: build one at start-up and share it.
#[derive(Debug)]
pub struct PdfReportRenderer {
    typeface: Typeface,
}

impl PdfReportRenderer {
    /// Parses the embedded typeface. Errors: `RenderError::Font` if it does not parse (a broken
    /// build, never the data).
    pub fn new() -> Result<Self, RenderError> {
        Ok(Self { typeface: Typeface::load()? })
    }
}

impl ReportRenderer for PdfReportRenderer {
    fn render_pdf(&self, document: &ReportDocument) -> Result<Vec<u8>, RenderError> {
        let mut pdf = PdfDocument::new(&document.title);
        pdf.metadata.info.author = document.subtitle.user.clone();
        pdf.metadata.info.creator = "botfleet".to_owned();
        pdf.metadata.info.producer = "botfleet".to_owned();
        // the document's own time, not the clock: the same document renders to the same bytes
        if let Ok(at) = printpdf::DateTime::from_unix_timestamp(document.subtitle.generated_at.unix_timestamp()) {
            pdf.metadata.info.creation_date = at;
            pdf.metadata.info.modification_date = at;
            pdf.metadata.info.metadata_date = at;
        }
        let fonts = [pdf.add_font(self.typeface.face(Weight::Regular)), pdf.add_font(self.typeface.face(Weight::Bold))];
        let mut canvas = Canvas::new(&self.typeface, fonts);
        layout::title_block(&mut canvas, document);
        for section in &document.sections {
            match section {
                Section::Figures(group) => layout::figures(&mut canvas, group),
                Section::Table(table) => layout::table(&mut canvas, table),
                Section::LineChart(c) => chart::line_chart(&mut canvas, c),
                Section::BarChart(c) => chart::bar_chart(&mut canvas, c),
            }
        }
        let footer = format!("{} · {}", document.title, document.subtitle.user);
        let pages = canvas.finish(&footer).into_iter().map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops)).collect();
        let mut warnings = Vec::new();
        let bytes = pdf.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings);
        if bytes.is_empty() {
            return Err(RenderError::Internal(anyhow::anyhow!("printpdf produced no bytes: {warnings:?}")));
        }
        Ok(bytes)
    }
}
