//! The backoffice's CSV exports (the audit trail, user lists): RFC 4180 with CRLF, cells defused
//! against spreadsheet formulas, at most [`EXPORT_MAX_ROWS`] rows.

use actix_web::http::header;
use actix_web::HttpResponse;

use crate::error::ApiError;

/// The most rows one CSV export holds (narrow it with the filters).
pub const EXPORT_MAX_ROWS: u64 = 10_000;

/// A CSV document being written.
pub(super) struct CsvExport {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvExport {
    /// A document whose first line is `columns`.
    pub(super) fn new(columns: &[&str]) -> Result<Self, ApiError> {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        writer.write_record(columns).map_err(ApiError::internal)?;
        Ok(Self { writer })
    }

    /// Appends one row (its text cells already passed through [`cell`]).
    pub(super) fn row<const N: usize>(&mut self, row: [String; N]) -> Result<(), ApiError> {
        self.writer.write_record(row).map_err(ApiError::internal)
    }

    /// The answer: `text/csv`, downloaded as `filename`.
    pub(super) fn respond(self, filename: &str) -> Result<HttpResponse, ApiError> {
        let body = self.writer.into_inner().map_err(|e| ApiError::internal(anyhow::anyhow!("CSV: {e}")))?;
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
            .body(body))
    }
}

/// A value as a CSV cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return is prefixed with `'` (OWASP's CSV injection advice).
pub(super) fn cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("+55 11"), "'+55 11");
        assert_eq!(cell("curl/8.0"), "curl/8.0");
    }
}
