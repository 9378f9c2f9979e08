//! `ApiError`: every failure a handler or extractor can answer with, rendered as RFC 9457
//! `application/problem+json`. Each carries an [`ErrorCode`] from the one table in [`codes`],
//! which alone decides its status and title.

mod codes;
pub mod documented;
mod documented_bots;
mod extractors;
mod fallback;
mod map;
mod problem;
mod tracked_json;
mod validation;

use actix_web::http::{header, Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use application::FieldError;
use domain::subscriptions::Plan;

pub use codes::ErrorCode;
pub use extractors::{json_config, path_config, query_error, redact_values};
pub use fallback::{not_found_or_method_not_allowed, RouteTable};
pub use map::ErrorCodes;
pub use problem::{Problem, ProblemField, PROBLEM_JSON, PROBLEM_TYPE_BASE};
pub use tracked_json::{decode, TrackedJson};
pub use validation::field_errors;

/// An error answered over HTTP: a code from the table, a human `detail`, and what some codes carry
/// besides (the bad fields, the plan to upgrade to, `Retry-After`, `Allow`). Handlers return
/// `Result<_, ApiError>` and use `?` on use-case errors, `RepoError` and `ValidationErrors`.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    upgrade_to: Option<Plan>,
    retry_after_secs: Option<u64>,
    quota: Option<Box<(Plan, String)>>,
    allow: Vec<Method>,
    cause: Option<anyhow::Error>,
}

impl ApiError {
    /// A problem with `code` and the human `detail`.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            upgrade_to: None,
            retry_after_secs: None,
            quota: None,
            allow: Vec::new(),
            cause: None,
        }
    }

    /// 422 `validation_failed` listing `errors`.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::new(ErrorCode::ValidationFailed, "one or more fields are invalid; see `errors`").with_errors(errors)
    }

    /// 422 `validation_failed` naming one field.
    pub fn field(field: impl Into<String>, code: application::FieldCode, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, code, message)])
    }

    /// 404 `not_found`: `resource` is unknown (or not the caller's).
    pub fn not_found(resource: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{resource} not found"))
    }

    /// 500 `internal_error`: the cause is logged, never shown.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self { cause: Some(cause.into()), ..Self::new(ErrorCode::InternalError, "internal error") }
    }

    /// 503 `code` whose `cause` is logged, never shown.
    pub fn unavailable(code: ErrorCode, detail: impl Into<String>, cause: impl Into<anyhow::Error>) -> Self {
        Self { cause: Some(cause.into()), ..Self::new(code, detail) }
    }

    /// 404 `route_not_found`.
    pub fn route_not_found() -> Self {
        Self::new(ErrorCode::RouteNotFound, "no route matches this path")
    }

    /// 405 `method_not_allowed`, with `Allow` listing `allow`.
    pub fn method_not_allowed(allow: Vec<Method>) -> Self {
        Self { allow, ..Self::new(ErrorCode::MethodNotAllowed, "this path does not accept this method") }
    }

    /// 413 `payload_too_large`: the body is larger than `BOTFLEET_JSON_LIMIT_BYTES`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(ErrorCode::PayloadTooLarge, format!("the request body is larger than the limit of {limit} bytes"))
    }

    /// 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let detail = format!("too many requests; retry in {retry_after_secs} s");
        Self { retry_after_secs: Some(retry_after_secs), ..Self::new(ErrorCode::RateLimited, detail) }
    }

    /// 429 `chat_quota_exhausted`: `plan`'s assistant messages are used up until `resets_at`
    /// (RFC 3339), `Retry-After` seconds from now.
    pub fn chat_quota(plan: Plan, resets_at: String, retry_after_secs: u64, detail: String) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            quota: Some(Box::new((plan, resets_at))),
            ..Self::new(ErrorCode::ChatQuotaExhausted, detail)
        }
    }

    /// Adds the per-field errors (validation, bad parameters).
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// Names the cheapest plan that allows the refused action (plan limits).
    pub fn with_upgrade_to(mut self, plan: Option<Plan>) -> Self {
        self.upgrade_to = plan;
        self
    }

    /// The stable machine code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The HTTP status, from the code table.
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// The per-field errors.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The problem body. Internal errors say only "internal error".
    pub fn problem(&self) -> Problem {
        let mut problem = Problem::new(self.code, self.detail.clone()).with_errors(self.errors.iter().cloned());
        problem.upgrade_to = self.upgrade_to.map(|plan| plan.as_str().to_owned());
        if let Some((plan, resets_at)) = self.quota.as_deref() {
            problem.plan = Some(plan.as_str().to_owned());
            problem.resets_at = Some(resets_at.clone());
        }
        problem
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(|cause| cause.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// The RFC 6750 challenge of a 401: `Bearer realm="botfleet"`, with `error="invalid_token"` when
/// a bearer token was sent and refused (bad, expired or ended), so a client knows to refresh or
/// log in again rather than to add a token.
pub fn www_authenticate(code: ErrorCode) -> header::HeaderValue {
    match code {
        ErrorCode::InvalidToken => header::HeaderValue::from_static(
            r#"Bearer realm="botfleet", error="invalid_token", error_description="the access token is not valid""#,
        ),
        ErrorCode::TokenExpired => header::HeaderValue::from_static(
            r#"Bearer realm="botfleet", error="invalid_token", error_description="the access token has expired""#,
        ),
        _ => header::HeaderValue::from_static(r#"Bearer realm="botfleet""#),
    }
}

/// `outer: cause: root cause`, for logs only.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        if problem.status >= 500 {
            let request_id = problem.request_id.as_deref().unwrap_or("-");
            if problem.status == 500 {
                tracing::error!(request_id, error = %cause_chain(self), "internal error");
            } else {
                tracing::warn!(request_id, code = problem.code, error = %cause_chain(self), "dependency unavailable");
            }
        }
        let mut response = problem.to_response();
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, secs.into());
        }
        if self.status() == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, www_authenticate(self.code));
        }
        if !self.allow.is_empty() {
            let allow = self.allow.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                headers.insert(header::ALLOW, value);
            }
        }
        response
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        ApiError::validation(field_errors(&errors))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        ApiError::internal(err)
    }
}

#[cfg(test)]
mod tests;
