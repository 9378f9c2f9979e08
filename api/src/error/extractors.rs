//! Extractor configurations that turn actix's body and path errors into problems (query strings:
//! [`crate::query::Query`]).
//!
//! Serde messages are used to name the field when serde names it; quoted values in them are
//! redacted, because the value a client sent may be a password or a token.

use actix_web::error::{JsonPayloadError, PathError};
use actix_web::{web, HttpRequest};
use application::{FieldCode, FieldError};

use super::{ApiError, ErrorCode};

/// `web::Json` limits and errors: malformed JSON -> 400 `malformed_json` (with line and column),
/// a wrong field -> 422 `validation_failed`, too large -> 413, wrong content type -> 415.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |err, _req| json_error(err, limit).into())
}

/// A query string that does not deserialise: 400 `invalid_query` naming `parameter` (the path
/// serde followed to the bad value) unless serde's message names a field itself.
pub fn query_error(message: &str, parameter: Option<&str>) -> ApiError {
    parameter_error(ErrorCode::InvalidQuery, "query", message, parameter)
}

/// `web::Path` errors -> 400 `invalid_path` naming the segment.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req: &HttpRequest| {
        let PathError::Deserialize(err) = err else {
            return ApiError::new(ErrorCode::InvalidPath, "invalid path").into();
        };
        // Serde does not name a bad path segment; when there is only one, it is that one.
        let segments: Vec<&str> = req.match_info().iter().map(|(name, _)| name).collect();
        let only = (segments.len() == 1).then(|| segments[0]);
        parameter_error(ErrorCode::InvalidPath, "path", &err.to_string(), only).into()
    })
}

fn json_error(err: JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::payload_too_large(limit)
        }
        JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow) => ApiError::payload_too_large(limit),
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "the body must be JSON: send `Content-Type: application/json`",
        ),
        JsonPayloadError::Deserialize(err) if err.is_data() => {
            ApiError::validation(vec![serde_field_error(&strip_position(&err.to_string()), None)])
        }
        JsonPayloadError::Deserialize(err) => ApiError::new(
            ErrorCode::MalformedJson,
            format!(
                "malformed JSON at line {}, column {}: {}",
                err.line(),
                err.column(),
                redact_values(&strip_position(&err.to_string()))
            ),
        ),
        other => ApiError::new(ErrorCode::UnreadableBody, redact_values(&other.to_string())),
    }
}

fn parameter_error(code: ErrorCode, location: &str, message: &str, fallback: Option<&str>) -> ApiError {
    let field = serde_field_error(message, fallback.or(Some(location)));
    let detail = format!("invalid {location} parameter `{}`: {}", field.field, field.message);
    ApiError::new(code, detail).with_errors(vec![field])
}

/// A field error from a serde message (`missing field `email``, `invalid type: ...`).
/// The field is the one serde names, else `fallback`, else `body`.
pub(super) fn serde_field_error(message: &str, fallback: Option<&str>) -> FieldError {
    let named =
        |prefix: &str| message.split_once(prefix).and_then(|(_, rest)| rest.split('`').next()).map(str::to_owned);
    let (field, code) = if let Some(field) = named("missing field `") {
        (Some(field), FieldCode::Required)
    } else if let Some(field) = named("unknown field `") {
        (Some(field), FieldCode::UnknownField)
    } else if let Some(field) = named("duplicate field `") {
        (Some(field), FieldCode::DuplicateField)
    } else if message.starts_with("invalid type") {
        (None, FieldCode::InvalidType)
    } else if message.starts_with("invalid length") {
        (None, FieldCode::InvalidLength)
    } else if message.starts_with("unknown variant") {
        (None, FieldCode::UnknownVariant)
    } else {
        (None, FieldCode::InvalidValue)
    };
    let field = field.unwrap_or_else(|| fallback.unwrap_or("body").to_owned());
    FieldError::new(field, code, redact_values(message))
}

/// serde_json appends ` at line L column C`; the problem says it once, in its own words.
pub(super) fn strip_position(message: &str) -> String {
    message.rfind(" at line ").map_or(message, |i| &message[..i]).to_owned()
}

/// Replaces every double-quoted literal (a value the client sent) with `"…"`.
pub fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        out.push_str("\"…\"");
        let mut escaped = false;
        for c in chars.by_ref() {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => break,
                _ => escaped = false,
            }
        }
    }
    out
}
