//! The port that turns a `ReportDocument` into a file, and its errors.

use super::ReportDocument;

/// Renders a report document. Synchronous and CPU-bound: callers on an async runtime run it in
/// `spawn_blocking`. An adapter renders every figure exactly as the document writes it (text
/// extractable from the output), lays out as many pages as it needs, and never panics on data
/// (empty series, one point, negative values).
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait ReportRenderer: Send + Sync {
    /// The document as a PDF file (A4 pages). Errors: `Font` when the embedded typeface cannot be
    /// loaded, `Internal` for anything else the adapter cannot do.
    fn render_pdf(&self, document: &ReportDocument) -> Result<Vec<u8>, RenderError>;
}

/// Why a report could not be rendered. Never caused by the document's data: an adapter renders
/// any valid `ReportDocument`.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The typeface the renderer embeds could not be parsed.
    #[error("the report typeface could not be loaded: {0}")]
    Font(String),
    /// Any other failure of the adapter.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}
