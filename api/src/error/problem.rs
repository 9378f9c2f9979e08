//! The RFC 9457 `application/problem+json` body every error response carries.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorCode;
use crate::middleware::request_id;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where problem `type` URIs live; the code is appended.
pub const PROBLEM_TYPE_BASE: &str = "https://botfleet.dev/problems/";

/// An error response (RFC 9457). Clients branch on `code`, which is stable; `detail` is for
/// humans and may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://botfleet.dev/problems/validation_failed",
    "title": "Fields are invalid; `errors` names each with its reason",
    "status": 422,
    "detail": "one or more fields are invalid; see `errors`",
    "code": "validation_failed",
    "instance": "/api/auth/register",
    "request_id": "01J9ZQ4Y5N8ZK6V0S8M2W3X4Y5",
    "errors": [{"field": "email", "code": "email", "message": "must be a valid email address"}]
}))]
pub struct Problem {
    /// A URI naming the problem type: `https://botfleet.dev/problems/<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the problem type, the same for every problem with this `code`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// A human explanation of this occurrence.
    pub detail: String,
    /// The stable machine code (`validation_failed`, `route_not_found`, `plan_limit_contexts`, ...).
    pub code: String,
    /// The request path this problem occurred on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id (also in the `X-Request-Id` header); quote it when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `validation_failed` and invalid parameters: one entry per bad field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For plan limits: the cheapest plan that allows the action (`PRO`, `MAX`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "PRO")]
    pub upgrade_to: Option<String>,
    /// `chat_quota_exhausted`: the plan whose quota is used up (`FREE`, `PRO`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "FREE")]
    pub plan: Option<String>,
    /// `chat_quota_exhausted`: when the quota starts again (RFC 3339 in UTC: the user's next local midnight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub resets_at: Option<String>,
}

/// One field that failed validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemField {
    /// The field's path as the client sent it: `email`, `config.take_profit_percent`, `items[2].qty`.
    pub field: String,
    /// A stable machine code (`required`, `length`, `invalid_type`, ...).
    pub code: String,
    /// A human explanation of what is wrong.
    pub message: String,
}

impl From<application::FieldError> for ProblemField {
    fn from(e: application::FieldError) -> Self {
        Self { field: e.field, code: e.code.as_str().to_owned(), message: e.message }
    }
}

impl Problem {
    /// A problem with `code` (its status and title from the table), filling `instance` and
    /// `request_id` from the request being served (when called inside one).
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::with_status(code.status(), code, detail)
    }

    /// A problem answered with `status`, which differs from `code`'s only for the generic codes
    /// of bare HTTP errors ([`ErrorCode::for_status`]: `http_error`, `internal_error` for a 502).
    pub fn with_status(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        let context = request_id::current();
        Self {
            type_uri: format!("{PROBLEM_TYPE_BASE}{code}"),
            title: code.title().to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.as_str().to_owned(),
            instance: context.as_ref().map(|c| c.path.clone()),
            request_id: context.map(|c| c.request_id.to_string()),
            errors: Vec::new(),
            upgrade_to: None,
            plan: None,
            resets_at: None,
        }
    }

    /// Adds the per-field errors.
    pub fn with_errors(mut self, errors: impl IntoIterator<Item = impl Into<ProblemField>>) -> Self {
        self.errors = errors.into_iter().map(Into::into).collect();
        self
    }

    /// The response carrying this problem, with `Content-Type: application/problem+json`.
    pub fn to_response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"));
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .insert_header(header::CacheControl(vec![header::CacheDirective::NoStore]))
            .body(body)
    }
}
