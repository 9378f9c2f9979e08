//! What a report can refuse: a query parameter it cannot read, a bot that is not the caller's.

use crate::Unexpected;

/// Why a report was not made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A query parameter is malformed or out of range (400 `invalid_query`, naming it).
    #[error("invalid query parameter `{field}`: {message}")]
    InvalidQuery {
        /// The parameter.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The `bot_id` asked for is not one of the caller's bots.
    #[error("bot not found")]
    BotNotFound,
    /// The store or an invariant failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(ReportError);

impl ReportError {
    /// A malformed `field`.
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidQuery { field, message: message.into() }
    }
}

/// Parses an RFC 3339 instant given as `field`.
pub(crate) fn instant(field: &'static str, raw: &str) -> Result<time::OffsetDateTime, ReportError> {
    time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| ReportError::invalid(field, "must be an RFC 3339 instant, e.g. 2026-01-31T00:00:00Z"))
}
